import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { Ipv4Address } from '../../../src/domain/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { SimCluster, startAll } from '../../support/cluster.js';

const A = '198.18.0.11';
const B = '198.18.0.12';
const C = '198.18.0.13';

describe('failover in virtual time (timeout 10 s, heartbeat 1 s)', () => {
  let clock: FakeClock;
  let cluster: SimCluster;

  beforeEach(() => {
    clock = new FakeClock();
    cluster = new SimCluster(clock);
  });

  /** Three equal nodes after a cold start: C, the highest address, is master. */
  async function threeWithMasterC(): Promise<void> {
    cluster.add(A);
    cluster.add(B);
    cluster.add(C);
    await startAll(cluster, A, B, C);
    await clock.advance(5000);
    assert.deepEqual(cluster.masters(), [C]);
  }

  it('cold start of two nodes ends with exactly one holder, the higher address', async () => {
    cluster.add(A);
    cluster.add(B);
    await startAll(cluster, A, B);
    await clock.advance(5000);
    assert.deepEqual(cluster.holders(), [B]);
    assert.deepEqual(cluster.states(), { [A]: 'BACKUP', [B]: 'MASTER' });
  });

  it('cold start of three nodes: exactly one holder, the highest priority, within the timeout', async () => {
    cluster.add(A, { priority: 150 });
    cluster.add(B);
    cluster.add(C);
    await startAll(cluster, A, B, C);
    await clock.advance(4000);
    assert.deepEqual(cluster.holders(), [A]);
    assert.deepEqual(cluster.masters(), [A]);
  });

  it("backups speak once per timeout, each time right after a master's heartbeat", async () => {
    await threeWithMasterC();
    const marks = new Map([A, B, C].map((id) => [id, cluster.get(id).transport.sent.length]));
    await clock.advance(20_000);
    const sentAt = new Map([A, B, C].map((id) => [id, cluster.get(id).transport.sentAtSince(marks.get(id)!)]));
    // one chain of ticks: a heartbeat an interval (1 s), not two
    assert.ok(sentAt.get(C)!.length >= 19 && sentAt.get(C)!.length <= 21, `the master sent ${sentAt.get(C)!.length} heartbeats in 20 s`);
    const master = new Set(sentAt.get(C));
    for (const id of [A, B]) {
      const times = sentAt.get(id)!;
      // quiet period: the timeout, 10 s (less half an interval for jitter), so 2 in 20 s
      assert.ok(times.length >= 2 && times.length <= 3, `${id} sent ${times.length} heartbeats in 20 s`);
      assert.deepEqual(times.filter((t) => !master.has(t)), [], `${id} sent only in step with the master`);
    }
  });

  it('a double failure: the best backup vanished just before the master; the next takes over at the timeout', async () => {
    await threeWithMasterC();
    cluster.network.crashHost(B);
    await cluster.get(B).node.stop(); // its host is gone: nothing it says gets out
    await clock.advance(1000);
    cluster.network.crashHost(C);
    const crashedAt = clock.now();
    let tookOver = -1;
    for (let i = 0; i < 300 && tookOver < 0; i++) {
      await clock.advance(100);
      assert.ok(cluster.holders().length <= 1, `two holders: ${cluster.holders().join(', ')}`);
      if (cluster.holders().includes(A)) tookOver = clock.now() - crashedAt;
    }
    // B still counts as alive (2.5 timeouts), but it did not speak in the round just before the lease ran out
    assert.ok(tookOver >= 9000 && tookOver <= 10_000 + 1000, `A took over after ${tookOver} ms`);
  });

  it('a backup that hears its master has no timer but the lease, and speaks once more when the master falls silent', async () => {
    await threeWithMasterC();
    const t = cluster.get(B).transport;
    const mark = t.sent.length;
    const sentAt = (): number[] => t.sentAtSince(mark);
    cluster.network.crashHost(C);
    const silentFrom = clock.now();
    // The master's last heartbeat came at most an interval (1 s) before; the lease (10 s) runs out 300 ms after
    // the probe starts. Until then B is silent, with no tick of its own; then it speaks once.
    await clock.advance(8600);
    assert.deepEqual(sentAt().filter((at) => at > silentFrom), [], 'silent while the lease holds');
    await clock.advance(1150);
    // (A's heartbeat of the same moment may draw a second one, at once)
    const after = new Set(sentAt().filter((at) => at > silentFrom));
    assert.equal(after.size, 1, `B spoke at ${[...after].join(', ')} after the master fell silent at ${silentFrom}`);
    assert.deepEqual(cluster.masters().filter((m) => m !== C), [], 'and nobody took over yet');
  });

  it('master host crash: after the timeout only the best backup takes over', async () => {
    await threeWithMasterC();
    cluster.network.crashHost(C);
    await clock.advance(9000);
    // C's own state machine still runs in this process, cut off like a crashed host's would be
    const survivors = (): string[] => cluster.masters().filter((m) => m !== C);
    assert.deepEqual(survivors(), [], 'nobody moves before the timeout');
    await clock.advance(2000);
    assert.deepEqual(survivors(), [B]);
    assert.deepEqual(cluster.holders(), [B]);
    assert.ok(cluster.get(B).logger.has(`BACKUP -> MASTER: no heartbeat from ${C} for`));
  });

  it('daemon kill -9 on a live host: taken over at once, not after the timeout', async () => {
    cluster.add(A);
    cluster.add(B);
    await startAll(cluster, A, B);
    await clock.advance(5000);
    cluster.segment.holders.delete(B); // the release guard removes it when the daemon dies
    cluster.network.killDaemon(B, Ipv4Address.create(B));
    await clock.advance(10);
    assert.deepEqual(cluster.holders(), [A]);
    assert.ok(cluster.get(A).logger.has('refused the connection'));
  });

  it('daemon kill -9: the probe is a short one, and a release guard still at work is looked at again shortly', async () => {
    cluster.add(A);
    cluster.add(B);
    await startAll(cluster, A, B);
    await clock.advance(5000);
    // the dead daemon's guard has not removed the address yet when the peer first looks
    cluster.network.killDaemon(B, Ipv4Address.create(B));
    await clock.advance(10);
    assert.deepEqual(cluster.holders(), [B]);
    cluster.segment.holders.delete(B);
    await clock.advance(60);
    assert.deepEqual(cluster.holders(), [A]);
    const deadlines = cluster.get(A).probe.deadlines;
    assert.ok(deadlines.length >= 2 && deadlines.every((d) => d === 30), `probe deadlines ${deadlines.join(', ')}`);
  });

  it('graceful stop hands over at once without a probe, and the master unbinds', async () => {
    cluster.add(A);
    cluster.add(B);
    await startAll(cluster, A, B);
    await clock.advance(5000);
    const probesBefore = cluster.get(A).probe.probes;
    await cluster.get(B).node.stop('SIGTERM received');
    await clock.advance(1);
    assert.deepEqual(cluster.holders(), [A]);
    assert.equal(cluster.get(B).node.state, 'STOPPED');
    assert.equal(cluster.get(A).probe.probes, probesBefore);
    assert.ok(cluster.get(A).logger.has('handed over'));
  });

  it('a stopping backup just leaves', async () => {
    cluster.add(A);
    cluster.add(B);
    await startAll(cluster, A, B);
    await clock.advance(5000);
    await cluster.get(A).node.stop();
    await clock.advance(20_000);
    assert.deepEqual(cluster.holders(), [B]);
  });

  it('partition then heal: the master of the older term releases within one interval and the winner re-announces', async () => {
    cluster.add(A);
    cluster.add(B);
    await startAll(cluster, A, B);
    await clock.advance(5000);
    // the isolated master keeps the address; the other side's probe cannot see it across the cut
    await cluster.partitionFor(B, 12_000);
    assert.deepEqual(cluster.masters(), [A, B]);
    // masters that hear no peer speak four times per interval, so the heal is heard within a quarter
    const sentBefore = cluster.get(A).transport.sent.length;
    await clock.advance(2000);
    assert.equal(cluster.get(A).transport.sent.length - sentBefore, 8);
    const announcedBefore = cluster.get(B).announcer.announcements.length;
    const winnerBefore = cluster.get(A).announcer.announcements.length;
    cluster.network.heal(B);
    // the next heartbeat comes within a quarter interval; the loser then gives the winner's announcement 25 ms
    await clock.advance(250 + 60);
    // A took over while B was cut off: its term is newer, and the clients on its side follow it
    assert.deepEqual(cluster.masters(), [A]);
    assert.deepEqual(cluster.holders(), [A]);
    assert.equal(cluster.get(B).announcer.announcements.length, announcedBefore, 'the loser stays quiet');
    // once on hearing the rival, and once more when the rival let go: until then its own ARP could pull clients back
    assert.equal(cluster.get(A).announcer.announcements.length - winnerBefore, 2, 'winner announces again, twice');
    assert.equal(cluster.get(A).announcer.forgotten, 1, 'the winner forgets its unresolved neighbour entries');
    assert.equal(cluster.get(B).announcer.forgotten, 0);
    assert.ok(cluster.get(B).logger.has('MASTER -> BACKUP: split brain'));
  });

  it('stickiness: a higher-priority node joining later does not take the address', async () => {
    cluster.add(A);
    await startAll(cluster, A);
    await clock.advance(5000);
    cluster.add(B, { priority: 200 });
    await startAll(cluster, B);
    await clock.advance(20_000);
    assert.deepEqual(cluster.holders(), [A]);
  });

  it('preemption: with forced_by_priority the higher-priority node takes over once it is stable', async () => {
    cluster.add(A);
    await startAll(cluster, A);
    await clock.advance(5000);
    cluster.add(B, { priority: 200, preempt: true });
    await startAll(cluster, B);
    await clock.advance(10_000);
    assert.deepEqual(cluster.holders(), [B]);
    assert.deepEqual(cluster.states(), { [A]: 'BACKUP', [B]: 'MASTER' });
  });
});
