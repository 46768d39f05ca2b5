import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { Ipv4Address } from '../../../src/domain/index.js';
import { aHeartbeat } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-clock.js';
import { SimCluster } from '../../support/cluster.js';

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

  async function startAll(...ids: string[]): Promise<void> {
    for (const id of ids) await cluster.get(id).node.start();
  }

  /** Three equal nodes after a cold start: C, the highest address, is master. */
  async function threeWithMasterC(): Promise<void> {
    cluster.add(A);
    cluster.add(B);
    cluster.add(C);
    await startAll(A, B, C);
    await clock.advance(5000);
    assert.deepEqual(cluster.masters(), [C]);
  }

  it('cold start of two nodes ends with exactly one holder, the higher address', async () => {
    cluster.add(A);
    cluster.add(B);
    await startAll(A, B);
    await clock.advance(5000);
    assert.deepEqual(cluster.holders(), [B]);
    assert.deepEqual(cluster.states(), { [A]: 'BACKUP', [B]: 'MASTER' });
  });

  it('cold start of three nodes: exactly one holder, the highest priority, within the timeout', async () => {
    cluster.add(A, { priority: 150 });
    cluster.add(B);
    cluster.add(C);
    await startAll(A, B, C);
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
    await startAll(A, B);
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
    await startAll(A, B);
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
    await startAll(A, B);
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
    await startAll(A, B);
    await clock.advance(5000);
    await cluster.get(A).node.stop();
    await clock.advance(20_000);
    assert.deepEqual(cluster.holders(), [B]);
  });

  it('partition then heal: the master of the older term releases within one interval and the winner re-announces', async () => {
    cluster.add(A);
    cluster.add(B);
    await startAll(A, B);
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
    await startAll(A);
    await clock.advance(5000);
    cluster.add(B, { priority: 200 });
    await startAll(B);
    await clock.advance(20_000);
    assert.deepEqual(cluster.holders(), [A]);
  });

  it('preemption: with forced_by_priority the higher-priority node takes over once it is stable', async () => {
    cluster.add(A);
    await startAll(A);
    await clock.advance(5000);
    cluster.add(B, { priority: 200, preempt: true });
    await startAll(B);
    await clock.advance(10_000);
    assert.deepEqual(cluster.holders(), [B]);
    assert.deepEqual(cluster.states(), { [A]: 'BACKUP', [B]: 'MASTER' });
  });

  it('a restarted daemon removes the stale address it finds unless it is the rightful master', async () => {
    cluster.add(A);
    cluster.add(B, { priority: 50 });
    await startAll(A);
    await clock.advance(5000);
    cluster.segment.holders.add(B); // left behind by an earlier run of B
    await startAll(B);
    await clock.advance(2000);
    assert.deepEqual(cluster.holders(), [A]);
    assert.ok(cluster.get(B).logger.has('removed the address left bound by an earlier run'));
  });

  it('a restarted daemon keeps its stale address when it is the rightful master', async () => {
    cluster.add(A);
    cluster.segment.holders.add(A);
    await startAll(A);
    await clock.advance(5000);
    assert.deepEqual(cluster.holders(), [A]);
    assert.ok(cluster.get(A).logger.has('address was already bound'));
  });

  it('a failed bind leaves nothing bound and retries at the next tick', async () => {
    const a = cluster.add(A);
    a.table.failNextBind = new Error('SIOCSIFADDR: Operation not permitted');
    await startAll(A);
    await clock.advance(3500);
    assert.ok(a.logger.has('address operation failed'));
    await clock.advance(2000);
    assert.deepEqual(cluster.holders(), [A]);
  });

  it('emits one state change event per transition', async () => {
    const a = cluster.add(A);
    const seen: string[] = [];
    a.node.onStateChange((c) => seen.push(`${c.from}->${c.to}`));
    await startAll(A);
    await clock.advance(5000);
    await a.node.stop();
    assert.deepEqual(seen, ['STOPPED->INIT', 'INIT->MASTER', 'MASTER->STOPPED']);
    assert.deepEqual(cluster.holders(), []);
  });

  // An operator or a test that reacts to the log line or a hook (by killing the new master, say) must not find a
  // master its peers never heard of: found in CI, where the peer then saw a starting node vanish, not a master.
  it('peers hear of a new state before the listeners are told', async () => {
    const a = cluster.add(A);
    const heard: string[] = [];
    a.node.onStateChange((c) => heard.push(`${c.to}: ${a.transport.sent.at(-1)?.state ?? 'nothing sent'}`));
    await startAll(A);
    await clock.advance(5000);
    // INIT is the start: the first heartbeat follows it
    assert.deepEqual(heard, ['INIT: nothing sent', 'MASTER: MASTER']);
  });

  it('a node whose transport cannot start never touches the address (a second daemon on the same host)', async () => {
    const a = cluster.add(A);
    cluster.segment.holders.add(A); // held by the daemon already running here
    a.transport.failStart = new Error('echo port 198.18.0.11:61111 (TCP) is already in use');
    await assert.rejects(a.node.start(), /already in use/);
    await a.node.stop('start failed');
    assert.equal(a.node.state, 'STOPPED');
    a.table.assertUntouched();
    cluster.segment.assertHolders(A);
  });

  it('a master that hears of a later term re-announces, even if that master already stepped down', async () => {
    const b = cluster.add(B);
    await startAll(B);
    await clock.advance(5000);
    assert.equal(b.node.state, 'MASTER');
    const before = b.announcer.announcements.length;
    b.transport.receive(aHeartbeat({ id: A, state: 'BACKUP', term: 7 }));
    await clock.advance(10);
    assert.equal(b.announcer.announcements.length, before + 1);
    assert.ok(b.logger.has(`${A} speaks in a newer term (7): the address may have moved while this node was cut off`));
    assert.ok(b.node.status().term > 7);
  });

  it('a silent master is probed just before its lease runs out, so the takeover needs no probe of its own', async () => {
    const a = cluster.add(A);
    cluster.add(B);
    await startAll(A, B);
    await clock.advance(5000);
    cluster.network.crashHost(B);
    const before = a.probe.probes;
    await clock.advance(9000);
    assert.equal(a.probe.probes, before, 'no probe while the lease is far from expiry');
    await clock.advance(2200);
    assert.ok(a.node.state === 'MASTER');
    assert.equal(a.probe.probes, before + 1, 'one probe, before the expiry; none at the takeover');
  });

  it('a stalled master (silent, its host still answering for the address) is taken over from that host; resumed, it lets go quietly', async () => {
    const a = cluster.add(A);
    const b = cluster.add(B);
    await startAll(A, B);
    await clock.advance(5000);
    cluster.network.partition(B); // B's daemon hears nothing and says nothing, but its host still answers for the address
    await clock.advance(11_000);
    assert.equal(a.node.state, 'MASTER');
    assert.ok(a.logger.has(`taken from the stalled host ${B} (mac-of-${B})`), a.logger.lines.join('\n'));
    const announced = b.announcer.announcements.length;
    cluster.network.heal(B);
    await clock.advance(1500);
    assert.deepEqual(cluster.masters(), [A]);
    assert.deepEqual(cluster.holders(), [A]);
    assert.equal(b.announcer.announcements.length, announced, 'the resumed node does not announce');
    assert.ok(b.logger.has('holds it in a newer term'));
  });

  it('an address that answers from a host that is no peer blocks the takeover, counted and named by its MAC', async () => {
    const a = cluster.add(A);
    cluster.add(B);
    await startAll(A, B);
    await clock.advance(5000);
    cluster.network.crashHost(B);
    cluster.segment.holders.add('intruder');
    await clock.advance(15_000);
    assert.equal(a.node.state, 'BACKUP');
    assert.ok(a.logger.has('not taking 198.18.0.100 over: it is in use by another host (ARP reply from mac-of-intruder)'));
    assert.ok(a.metrics.conflicts >= 1);
    cluster.segment.holders.delete('intruder');
    await clock.advance(1500);
    assert.equal(a.node.state, 'MASTER', 'it kept looking, and took over once the address went quiet');
  });

  it('the loser of a healed split stays quiet: only the winner announces again', async () => {
    const a = cluster.add(A);
    await startAll(A);
    await clock.advance(5000);
    const before = a.announcer.announcements.length;
    cluster.segment.holders.add(B);
    a.transport.receive(aHeartbeat({ id: B, state: 'MASTER', term: 9 }));
    await clock.advance(100);
    assert.equal(a.announcer.announcements.length, before, 'B holds the address in a newer term: no announcement');
    assert.equal(a.node.state, 'BACKUP');
  });

  it('a master steps down only for a rival that really holds the address: words on the wire alone make it announce again', async () => {
    const a = cluster.add(A);
    await startAll(A);
    await clock.advance(5000);
    const before = a.announcer.announcements.length;
    for (let i = 0; i < 20; i++) {
      a.transport.receive(aHeartbeat({ id: B, state: 'MASTER', priority: 254, term: 9 + i }), { via: 'group', signed: false });
      await clock.advance(100);
    }
    assert.equal(a.node.state, 'MASTER');
    assert.deepEqual(cluster.holders(), [A]);
    assert.ok(a.logger.has(`not stepping down for ${B}, which says it is master: no other host answers ARP for 198.18.0.100`));
    const announced = a.announcer.announcements.length - before;
    // once per interval, and the takeover's own second burst (3 s after it) falls in this window too
    assert.ok(announced >= 2 && announced <= 4, `announced ${announced} times in 2 s at a 1 s interval`);
    assert.ok(a.probe.macLookups.length <= 6, `${a.probe.macLookups.length} ARP lookups: at most one check per interval`);
  });
});
