import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeLab, describeLabs } from '../support/describe-lab.js';
import { sh } from '../../scripts/lab/netns-lab.js';
import { settledPair, sleep } from '../support/lab-watch.js';

// keepalived's VRRPv2 budget with advert_int 1, and a host timeout a twentieth of it
const TIMERS = { timeoutMs: 3600, intervalMs: 1000, dialTimeoutMs: 1000, hostTimeoutMs: 150 };

describeLabs('echo.host_timeout_in_ms between real daemons', () => {
  describeLab('a master host that crashes', { nodes: 2, services: true }, ({ lab }) => {
    it('is taken over once its host answered no ping for the host timeout, long before the timeout', async () => {
      const [n1, n2] = await settledPair(lab, TIMERS);
      // at a random moment against the heartbeats
      await sleep(300 + Math.random() * 700);
      await n2.unplug();
      n2.daemon!.kill('SIGKILL');
      const took = await lab.waitFor('node1 to hold the address', () => n1.holdsVip(), (h) => h, 3000).catch(() => null);
      assert.ok(took, `node1 did not take over within 3 s (the timeout is 3.6 s):\n${lab.logs()}`);
      console.log(`# host timeout 150 ms, timeout 3600 ms: node1 held the address ${took.ms} ms after the crash`);
      assert.ok(took.ms < 1500, `took ${took.ms} ms`);
      await lab.waitForLog(n1.daemon!, /host answered no probe and sent no heartbeat for \d+ ms/, 1000);
      await lab.waitForLog(n1.daemon!, /BACKUP -> MASTER: 198\.18\.0\.\d+'s host answered nothing for 150 ms/, 1000);
    });
  });

  describeLab('a master daemon stalled on a live host', { nodes: 2, services: true }, ({ lab }) => {
    it('keeps the address for the whole timeout: its host still answers', async () => {
      const [n1, n2] = await settledPair(lab, TIMERS);
      const pid = n2.daemon!.child.pid!;
      process.kill(pid, 'SIGSTOP');
      const stoppedAt = Date.now();
      try {
        const early = await lab.waitFor('node1 to hold the address', () => n1.holdsVip(), (h) => h, 2500).catch(() => null);
        assert.equal(early, null, `node1 took the address ${early?.ms} ms after the SIGSTOP, before the timeout:\n${lab.logs()}`);
        const took = await lab.waitFor('node1 to hold the address', () => n1.holdsVip(), (h) => h, 6000);
        const after = Date.now() - stoppedAt;
        console.log(`# stalled master with host timeout 150 ms: node1 took over ${after} ms after the SIGSTOP`);
        assert.ok(after >= 2500, `took over after ${after} ms`);
        assert.ok(took);
        // pings lost on a starved machine may bring a verdict of silence; the address answering must withdraw it
        if (/host answered no probe/.test(n1.daemon!.output)) assert.match(n1.daemon!.output, /host still answers for the address/);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    });
  });

  describeLab('a stalled master whose pings are lost for a moment', { nodes: 2, services: true }, ({ lab }) => {
    it('is judged silent, found answering for the address, and taken over only at the timeout, displaced', async () => {
      const [n1, n2] = await settledPair(lab, TIMERS);
      const pid = n2.daemon!.child.pid!;
      process.kill(pid, 'SIGSTOP');
      const stoppedAt = Date.now();
      // the host's kernel ignores pings (its own netns's setting); ARP still answers for the address it holds
      const ignorePings = async (on: boolean) => {
        const r = await sh('ip', ['netns', 'exec', n2.ns, 'sysctl', '-qw', `net.ipv4.icmp_echo_ignore_all=${on ? 1 : 0}`]);
        if (r.code !== 0) throw new Error(`sysctl in ${n2.ns}: ${r.stderr.trim()}`);
      };
      try {
        await sleep(300);
        await ignorePings(true);
        await lab.waitForLog(n1.daemon!, /host answered no probe and sent no heartbeat/, 1000);
        await lab.waitForLog(n1.daemon!, /host still answers for the address .*: it is up, its daemon stalled/, 1000);
        await sleep(400);
        await ignorePings(false);
        assert.equal(await n1.holdsVip(), false, `node1 took the address of a host that answered for it:\n${lab.logs()}`);
        const took = await lab.waitFor('node1 to hold the address', () => n1.holdsVip(), (h) => h, 6000);
        const after = Date.now() - stoppedAt;
        console.log(`# stalled master, its pings ignored for a while: node1 took over ${after} ms after the SIGSTOP`);
        assert.ok(took && after >= 2500, `took over after ${after} ms`);
        await lab.waitForLog(n1.daemon!, /taken from the stalled host/, 1000);
      } finally {
        await ignorePings(false).catch(() => undefined);
        process.kill(pid, 'SIGCONT');
      }
    });
  });
});
