import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeLab, describeLabs } from '../support/describe-lab.js';
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
        assert.doesNotMatch(n1.daemon!.output, /host answered no probe/);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    });
  });
});
