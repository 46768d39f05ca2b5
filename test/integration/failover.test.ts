import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LAB_ADDRESS_TOOL, type NetnsLab, type ClientProbe } from '../../scripts/lab/netns-lab.js';
import { describeLab, describeLabs } from '../support/describe-lab.js';

// Timers for the lab: 100 ms heartbeats, a master is dead after 1000 ms of silence.
const TIMEOUT_MS = 1000;
// Generous bounds: these tests assert behaviour; `npm run demo` and the benchmark report the figures.
const SETTLE_MS = 8000;

async function reachable(probe: ClientProbe, lab: NetnsLab, expected: string, timeoutMs = 5000): Promise<void> {
  await lab.waitFor(`the client to reach ${expected} through the floating IP`, async () => probe.lastAnswer(), (w) => w === expected, timeoutMs);
}

function sameAnswers(probe: ClientProbe, since: number): Set<string> {
  return new Set(probe.samples.filter((s) => s.t >= since && s.who).map((s) => s.who!));
}

describeLabs(`failover between real daemons in network namespaces (address tool: ${LAB_ADDRESS_TOOL})`, () => {
  describeLab('two nodes', { nodes: 2, services: true, probe: true }, ({ lab, probe }) => {
    it('cold start: exactly one holder, the higher address, and the client reaches it', async () => {
      const [n1, n2] = lab.pair();
      n1.start();
      n2.start();
      await lab.waitForHolders(['node2'], SETTLE_MS);
      await reachable(probe, lab, 'node2');
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(await lab.holders(), ['node2'], 'still exactly one holder a second later');
      await lab.waitForLog(n2.daemon!, /INIT -> MASTER: no master heard for 500 ms after start/);
      await lab.waitForLog(n1.daemon!, /INIT -> BACKUP/);
      // address_tool: auto picks ifconfig when it is on PATH, iproute2 when it is not
      const tool = LAB_ADDRESS_TOOL === 'ip' ? /tools: ip \(iproute2\)/ : /tools: ifconfig \(net-tools\)/;
      await lab.waitForLog(n2.daemon!, tool);
    });

    it('kill -9 with the host up: the peer takes over well before the timeout, the dead daemon leaves nothing bound', async () => {
      const [n1, n2] = lab.pair();
      const t0 = probe.now;
      n2.daemon!.kill('SIGKILL');
      const ms = await lab.waitForHolders(['node1'], SETTLE_MS);
      await reachable(probe, lab, 'node1');
      assert.ok(ms < TIMEOUT_MS, `takeover took ${ms} ms, expected less than the ${TIMEOUT_MS} ms timeout`);
      await lab.waitForLog(n1.daemon!, /BACKUP -> MASTER: 198\.18\.0\.12's daemon is gone: its echo port refused the connection/);
      assert.equal(await n2.holdsVip(), false, 'the release guard removed the address from the killed host');
      console.log(`# kill -9: holder changed in ${ms} ms, client outage ${probe.longestGap(t0)} ms`);
    });

    it('the killed daemon restarts as a backup and does not take the address', async () => {
      const [n1, n2] = lab.pair();
      n2.start();
      await lab.waitFor('node2 to join as backup', async () => n2.daemon!.output, (o) => /INIT -> BACKUP: master 198\.18\.0\.11/.test(o), SETTLE_MS);
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(await lab.holders(), ['node1'], 'stickiness: node2 outranks node1 but does not preempt');
      assert.ok(n1.daemon!.running);
    });

    it('SIGTERM: the master hands over at once, unbinds and exits 0', async () => {
      const [n1] = lab.pair();
      const t0 = probe.now;
      n1.daemon!.kill('SIGTERM');
      assert.equal(await n1.daemon!.exited, 0);
      const ms = await lab.waitForHolders(['node2'], SETTLE_MS);
      await reachable(probe, lab, 'node2');
      assert.ok(ms < TIMEOUT_MS, `handover took ${ms} ms`);
      await lab.waitForLog(n1.daemon!, /MASTER -> STOPPED: SIGTERM received; handed the address over/);
      await lab.waitForLog(lab.nodes[1]!.daemon!, /BACKUP -> MASTER: 198\.18\.0\.11 handed over/);
      console.log(`# SIGTERM: client outage ${probe.longestGap(t0)} ms`);
    });

    it('a backup stopped by SIGTERM just exits 0', async () => {
      const [n1] = lab.pair();
      n1.start();
      await lab.waitFor('node1 to be a backup', async () => n1.daemon!.output, (o) => o.includes('-> BACKUP'), SETTLE_MS);
      n1.daemon!.kill('SIGTERM');
      assert.equal(await n1.daemon!.exited, 0);
      assert.deepEqual(await lab.holders(), ['node2']);
    });
  });

  describeLab('three nodes', { nodes: 3, services: true, probe: true }, ({ lab, probe }) => {
    it('cold start: exactly one holder, the highest priority', async () => {
      lab.nodes[0]!.start({ priority: 150 });
      lab.nodes[1]!.start({ priority: 120 });
      lab.nodes[2]!.start({ priority: 100 });
      await lab.waitForHolders(['node1'], SETTLE_MS);
      await reachable(probe, lab, 'node1');
    });

    it('host crash (kill -9 and link down): only the best backup takes over, after the timeout', async () => {
      const [n1, n2, n3] = lab.trio();
      const t0 = probe.now;
      await n1.unplug();
      n1.daemon!.kill('SIGKILL');
      // the crashed host keeps its address (nobody can reach it); among the rest only node2 may hold it
      const ms = await lab.waitFor('node2 to take over', async () => (await lab.holders()).filter((h) => h !== 'node1'), (h) => h.join() === 'node2', SETTLE_MS);
      await reachable(probe, lab, 'node2');
      assert.ok(ms.ms >= TIMEOUT_MS - 300, `takeover after ${ms.ms} ms came before the silence timeout`);
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(await n3.holdsVip(), false, 'only one backup took over');
      await lab.waitForLog(n2.daemon!, /BACKUP -> MASTER: no heartbeat from 198\.18\.0\.11 for \d+ ms/);
      await lab.waitForLog(n3.daemon!, /peer 198\.18\.0\.12 joined|INIT -> BACKUP/);
      assert.deepEqual([...sameAnswers(probe, probe.now - 500)], ['node2']);
      console.log(`# host crash: client outage ${probe.longestGap(t0)} ms (timeout ${TIMEOUT_MS} ms)`);
    });
  });

  describeLab('multicast blocked: unicast peers', { nodes: 2 }, ({ lab }) => {
    it('nodes that cannot hear each other\'s multicast find each other through peers:', async () => {
      const [n1, n2] = lab.pair();
      // different groups stand in for a network that drops multicast
      n1.start({ extra: `  broadcast:\n    binding: 239.1.1.1:7001\n  peers: [${n2.ip}]` });
      n2.start({ extra: `  broadcast:\n    binding: 239.1.1.2:7002\n  peers: [${n1.ip}]` });
      await lab.waitForHolders(['node2'], SETTLE_MS);
      await lab.waitForLog(n2.daemon!, /-> MASTER/);
      await lab.waitForLog(n1.daemon!, /INIT -> BACKUP/);
      n2.daemon!.kill('SIGKILL');
      const ms = await lab.waitForHolders(['node1'], SETTLE_MS);
      assert.ok(ms < TIMEOUT_MS, `takeover took ${ms} ms`);
    });
  });

  // A quiet TCP link relies on the group; when the group stops reaching one node, that node asks for TCP.
  for (const deaf of ['backup', 'master'] as const) {
    describeLab(`multicast lost on the way to the ${deaf}`, { nodes: 2 }, ({ lab }) => {
      it('no false failover and no lost peer; a kill -9 is still taken over at once', async () => {
        const [n1, n2] = lab.pair();
        n2.start({ priority: 110 });
        await lab.waitForLog(n2.daemon!, /INIT -> MASTER/, SETTLE_MS);
        n1.start();
        await lab.waitForLog(n1.daemon!, /INIT -> BACKUP/, SETTLE_MS);
        await lab.waitForLog(n2.daemon!, /peer 198\.18\.0\.11 joined/);
        await new Promise((r) => setTimeout(r, 500));
        await lab.deafen(deaf === 'backup' ? n1 : n2);
        const marks = [n1.daemon!.output.length, n2.daemon!.output.length];
        const end = Date.now() + 4 * TIMEOUT_MS;
        while (Date.now() < end) {
          assert.deepEqual(await lab.holders(), ['node2']);
          await new Promise((r) => setTimeout(r, 100));
        }
        const [after1, after2] = [n1.daemon!.output.slice(marks[0]), n2.daemon!.output.slice(marks[1])];
        assert.doesNotMatch(after1, /-> MASTER|in use by another host|lost|is back/, 'the backup kept its lease on the master');
        assert.doesNotMatch(after2, /->|lost|is back/, 'the master kept hearing its backup');
        n2.daemon!.kill('SIGKILL');
        const ms = await lab.waitForHolders(['node1'], SETTLE_MS);
        assert.ok(ms < TIMEOUT_MS, `takeover took ${ms} ms`);
      });
    });
  }
});
