// Issue 11, namespace tier: forged heartbeats from hosts on the segment (with or without the key) must not move
// the address, cut the nodes off from each other, or break a later failover.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CLIENT_IP, LAB_ADDRESS_TOOL, VIP } from '../../scripts/lab/netns-lab.js';
import { describeLab, describeLabs } from '../support/describe-lab.js';
import { deviations, forge, GROUP_TARGET, metric, outputSince, settledPair, sleep, timeWaitSockets, watchHolders } from '../support/lab-watch.js';

// the timers: a master is dead after 1000 ms of silence, heartbeats every 200 ms
const TIMERS = { timeoutMs: 1000, intervalMs: 200 };
const SECRET = 'lab-secret-0123456789';
const AUTH = `  auth:\n    secret: ${SECRET}`;
const BAD_FIELDS = 'floatip_heartbeats_rejected_total{reason="bad-fields"}';

describeLabs(`hostile peers: forged heartbeats (address tool: ${LAB_ADDRESS_TOOL})`, () => {
  // Signed by a key holder too: the key proves who sent a heartbeat, not that its term is sane.
  for (const signed of [false, true]) {
    describeLab(`term poisoning, ${signed ? 'signed with the group key' : 'unsigned'}`, { nodes: 2 }, ({ lab }) => {
      it('a MASTER heartbeat with term 2^53-1 leaves the nodes hearing each other, and a later partition heals to one holder', async () => {
        const [n1, n2] = await settledPair(lab, { ...TIMERS, extra: signed ? AUTH : '' });
        await sleep(1000);
        const marks = [n1.daemon!.output.length, n2.daemon!.output.length] as const;
        // from the client's own address, so no impostor check applies; the lowest priority, so nobody defers to it
        const poison = { id: CLIENT_IP, vip: VIP, pri: 1, st: 'MASTER', term: Number.MAX_SAFE_INTEGER, pre: false, seq: 1 };
        await forge(lab, GROUP_TARGET, CLIENT_IP, 3, 20, poison, signed ? SECRET : undefined);
        // what the forged frames themselves cost is counted by now; anything later is the poison spreading
        await sleep(1000);
        const rejectedBefore = [await metric(n1, BAD_FIELDS), await metric(n2, BAD_FIELDS)];
        const samples = await watchHolders(lab, 9000, 100);
        const problems: string[] = [];
        const rejectedAfter = [await metric(n1, BAD_FIELDS), await metric(n2, BAD_FIELDS)];
        for (const [i, node] of [n1, n2].entries()) {
          const grew = rejectedAfter[i]! - rejectedBefore[i]!;
          if (grew > 0) {
            const why = /dropping \S+ message from \S+: (bad term or seq|[^\n]*)/.exec(outputSince(node, marks[i]!))?.[1] ?? '?';
            problems.push(`${node.name} rejected ${grew} more heartbeats as bad-fields in the 9 s after the forged frame (${why})`);
          }
        }
        const held = deviations(samples, 'node2');
        if (held) problems.push(`holders after the forged frame: ${held}`);
        const status = JSON.parse(await n1.fetch('/status')) as { state: string; lease: { holder: string } | null };
        if (status.state !== 'BACKUP' || status.lease?.holder !== n2.ip) {
          problems.push(`node1 is ${status.state} with lease ${JSON.stringify(status.lease)}, not a BACKUP holding a live lease on ${n2.ip}`);
        }
        const backupLog = outputSince(n1, marks[0]);
        if (/-> MASTER|in use by another host/.test(backupLog)) problems.push(`node1 lost its master: ${/.*(-> MASTER|in use by another host).*/.exec(backupLog)?.[0]}`);
        for (const node of [n1, n2]) {
          const tw = await timeWaitSockets(node);
          if (tw >= 100) problems.push(`${tw} TIME-WAIT sockets in ${node.name}'s namespace: its heartbeat link is redialled without backoff`);
        }
        // an ordinary partition of the master afterwards must still end with one holder
        await n2.unplug();
        await sleep(4000);
        await n2.plug();
        const healStart = Date.now();
        let healedAt: number | null = null;
        let last = '';
        while (Date.now() - healStart < 2000 && healedAt === null) {
          last = (await lab.holders()).join('+');
          if (last && !last.includes('+')) healedAt = Date.now() - healStart;
          else await sleep(20);
        }
        if (healedAt === null) problems.push(`2 s after the 4 s partition healed the holders were [${last}], not exactly one node`);
        else {
          const one = last;
          const stays = deviations(await watchHolders(lab, 2000), one);
          if (stays) problems.push(`after the heal (one holder, ${one}, after ${healedAt} ms): ${stays}`);
        }
        assert.deepEqual(problems, [], `${problems.join('\n')}\n${lab.logs()}`);
      });
    });
  }

  describeLab('black-holing without auth', { nodes: 2 }, ({ lab }) => {
    it('MASTER heartbeats of priority 254 from a host that is no peer, unicast and to the group, move nothing', async () => {
      const [, n2] = await settledPair(lab, TIMERS);
      await sleep(1000);
      // its own address, no spoofing: a later term than the group's, and a priority that outranks every node
      const claim = { id: CLIENT_IP, vip: VIP, pri: 254, st: 'MASTER', term: 1000, pre: true, seq: 1 };
      const attack = Promise.all([
        forge(lab, `udp:${n2.ip}:7654`, CLIENT_IP, 80, 100, claim),
        forge(lab, GROUP_TARGET, CLIENT_IP, 80, 100, claim),
      ]);
      const samples = await watchHolders(lab, 8000);
      await attack;
      samples.push(...(await watchHolders(lab, 1500)).map((s) => ({ ...s, t: s.t + 8000 })));
      const held = deviations(samples, 'node2');
      assert.equal(held, null, `the master must hold the address throughout the ~8 s claim and after: ${held}\n${lab.logs()}`);
    });
  });

  describeLab('spoofed goodbyes', { nodes: 2 }, ({ lab }) => {
    it('forged STOPPING datagrams from the master\'s address cause no takeover; a real SIGTERM still hands over at once', async () => {
      const [n1, n2] = await settledPair(lab, TIMERS);
      await sleep(1000);
      const { term } = JSON.parse(await n2.fetch('/status')) as { term: number };
      const mark = n1.daemon!.output.length;
      // sent from inside the master's namespace, so the source address is the master's; a huge seq so it is not old
      const goodbye = { id: n2.ip, vip: VIP, pri: 100, st: 'STOPPING', term, pre: false, seq: 2 ** 40 };
      const attack = forge(n2, GROUP_TARGET, n2.ip, 7, 1400, goodbye);
      const samples = await watchHolders(lab, 10_000);
      await attack;
      samples.push(...(await watchHolders(lab, 1000)).map((s) => ({ ...s, t: s.t + 10_000 })));
      const takeovers = outputSince(n1, mark).match(/BACKUP -> MASTER[^\n]*/g) ?? [];
      const held = deviations(samples, 'node2');
      assert.ok(
        takeovers.length === 0 && held === null,
        `over ~10 s of forged goodbyes (one every 1.4 s): ${takeovers.length} takeovers (${takeovers[0] ?? 'none'}); holders: ${held ?? 'always node2'}\n${lab.logs()}`,
      );
      n2.daemon!.kill('SIGTERM');
      assert.equal(await n2.daemon!.exited, 0);
      const ms = await lab.waitForHolders(['node1'], 1500);
      await lab.waitForLog(n1.daemon!, /BACKUP -> MASTER: 198\.18\.0\.12 handed over/);
      console.log(`# real SIGTERM after forged goodbyes: node1 held the address ${ms} ms after node2 exited`);
    });
  });
});
