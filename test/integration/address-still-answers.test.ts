// Issue 11, namespace tier: when the address still answers after the master is lost, who answers decides. A host
// that is no peer blocks the takeover; a master that only stalled, or whose daemon tree was killed, does not for long.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LAB_ADDRESS_TOOL, VIP, sh, type LabNode } from '../../scripts/lab/netns-lab.js';
import { describeLab, describeLabs } from '../support/describe-lab.js';
import { deviations, hasMetric, metric, outputSince, settledPair, sleep, watchHolders } from '../support/lab-watch.js';

const TIMERS = { timeoutMs: 1000, intervalMs: 200 };
const AUTH = '  auth:\n    secret: lab-secret-0123456789';

async function netns(node: LabNode, ...args: string[]): Promise<string> {
  const r = await sh('ip', ['netns', 'exec', node.ns, ...args]);
  if (r.code !== 0) throw new Error(`${args.join(' ')} in ${node.ns}: ${r.stderr.trim()}`);
  return r.stdout;
}

async function macOf(node: LabNode): Promise<string> {
  const r = await sh('ip', ['-n', node.ns, '-j', 'link', 'show', 'eth0']);
  const [link] = JSON.parse(r.stdout) as { address: string }[];
  return link!.address;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describeLabs(`the address still answers after the master is lost (address tool: ${LAB_ADDRESS_TOOL})`, () => {
  describeLab('an ARP-only blocker, auth on', { nodes: 3 }, ({ lab }) => {
    it('a keyless host that answers only ARP for the address blocks the takeover, logged with its MAC and counted', async () => {
      const [n1, n2] = await settledPair(lab, { ...TIMERS, extra: AUTH });
      const blocker = lab.nodes[2]!;
      // no daemon on node3: it answers ARP for the address, and no ping
      await netns(blocker, 'sysctl', '-w', 'net.ipv4.icmp_echo_ignore_all=1');
      await netns(blocker, 'ip', 'addr', 'add', `${VIP}/24`, 'dev', 'eth0');
      const mac = await macOf(blocker);
      await sleep(500);
      // host crash: nothing reaches it any more, and its daemon is gone
      await n2.unplug();
      n2.daemon!.kill('SIGKILL');
      const samples = await watchHolders(lab, 4000, 50, [n1]);
      assert.equal(deviations(samples, ''), null, `node1 bound an address that answers ARP from ${mac}:\n${lab.logs()}`);
      await lab.waitForLog(n1.daemon!, new RegExp(`in use by another host \\(ARP reply for ${escape(VIP)} from ${escape(mac)}`, 'i'));
      assert.ok(await hasMetric(n1, 'floatip_address_conflicts_total'), `node1's /metrics has no floatip_address_conflicts_total:\n${await n1.fetch('/metrics')}`);
      const conflicts = await metric(n1, 'floatip_address_conflicts_total');
      assert.ok(conflicts >= 1, `floatip_address_conflicts_total is ${conflicts}`);
      await netns(blocker, 'ip', 'addr', 'del', `${VIP}/24`, 'dev', 'eth0');
      const ms = await lab.waitForHolders(['node1'], 5000);
      console.log(`# ARP-only blocker: node1 took over ${ms} ms after the blocker's address was removed`);
    });
  });

  describeLab('a stalled master whose service died', { nodes: 2, services: true }, ({ lab }) => {
    it('is replaced once its lease expired; resumed, it sees the newer term and lets go at once without announcing', async () => {
      const [n1, n2] = await settledPair(lab, TIMERS);
      const probe = lab.startProbe();
      await lab.waitFor('the client to reach node2', async () => probe.lastAnswer(), (w) => w === 'node2', 5000);
      n2.service!.kill('SIGKILL');
      await sleep(200);
      // the daemon stalls on a live host: its host still answers ARP for the address, from the master's own MAC
      process.kill(n2.daemon!.child.pid!, 'SIGSTOP');
      const problems: string[] = [];
      const took = await lab.waitFor('node1 to take the address over', () => n1.holdsVip(), (h) => h, 5000).catch(() => null);
      if (!took) problems.push(`node1 did not hold the address within 5 s of the SIGSTOP: ${/.*in use by another host.*/.exec(n1.daemon!.output)?.[0] ?? 'no conflict logged'}`);
      else {
        const reached = await lab.waitFor('the client to reach node1', async () => probe.lastAnswer(), (w) => w === 'node1', 8000).catch(() => null);
        if (!reached) problems.push(`the client did not reach node1 through the floating IP within 8 s of the takeover (last answer: ${probe.lastAnswer()})`);
        console.log(`# stalled master: node1 held the address ${took.ms} ms after the SIGSTOP`);
      }
      // the second half is checked whatever the first gave, so a failure names both
      const mark = n2.daemon!.output.length;
      process.kill(n2.daemon!.child.pid!, 'SIGCONT');
      const gone = await lab.waitFor('node2 to let go', () => n2.holdsVip(), (h) => !h, 2000).catch(() => null);
      if (!gone) problems.push('node2 still held the address 2 s after SIGCONT');
      const held = deviations(await watchHolders(lab, 2000), 'node1');
      if (held) problems.push(`after the SIGCONT: ${held}`);
      const announced = /.*announcing.*/.exec(outputSince(n2, mark))?.[0];
      if (announced) problems.push(`the resumed daemon announced: ${announced}`);
      if (!n2.daemon!.running) problems.push('the resumed daemon exited');
      assert.deepEqual(problems, [], `${problems.join('\n')}\n${lab.logs()}`);
      probe.stop();
    });
  });

  describeLab('a master killed with its children', { nodes: 2 }, ({ lab }) => {
    it('the backup waits while the address still answers, and takes over as soon as it is removed', async () => {
      const [n1, n2] = await settledPair(lab, TIMERS);
      await sleep(1000);
      // as `systemctl kill -s KILL` does: the whole tree at once, children first so the release guard cannot run
      const main = n2.daemon!.child.pid!;
      const pids = await n2.daemonPids();
      for (const pid of [...pids.filter((p) => p !== main), main]) process.kill(pid, 'SIGKILL');
      await n2.daemon!.exited;
      assert.equal(await n2.holdsVip(), true, 'precondition: the address stayed bound on the killed host');
      const before = await watchHolders(lab, 2000);
      const early = deviations(before, 'node2');
      assert.equal(early, null, `node1 must not bind while the address still answers on node2: ${early}\n${lab.logs()}`);
      await lab.waitForLog(n1.daemon!, /not taking 198\.18\.0\.100 over: it is in use by another host/);
      // standing in for the unit's ExecStopPost=floatip release
      await sh('ip', ['-n', n2.ns, 'addr', 'del', `${VIP}/24`, 'dev', 'eth0']);
      const ms = await lab.waitForHolders(['node1'], 2000);
      const later = deviations(await watchHolders(lab, 2000), 'node1');
      assert.equal(later, null, `after the takeover: ${later}`);
      console.log(`# killed tree: node1 held the address ${ms} ms after the address was removed on node2`);
    });
  });
});
