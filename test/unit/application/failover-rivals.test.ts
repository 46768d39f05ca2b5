import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { aHeartbeat } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-clock.js';
import { SimCluster, startAll } from '../../support/cluster.js';

const A = '198.18.0.11';
const B = '198.18.0.12';

describe('failover in virtual time: restarts, failures, events, terms and rivals (timeout 10 s, heartbeat 1 s)', () => {
  let clock: FakeClock;
  let cluster: SimCluster;

  beforeEach(() => {
    clock = new FakeClock();
    cluster = new SimCluster(clock);
  });

  it('a restarted daemon removes the stale address it finds at once, before it has heard anyone', async () => {
    cluster.add(A);
    cluster.add(B, { priority: 50 });
    await startAll(cluster, A);
    await clock.advance(5000);
    cluster.segment.holders.add(B); // left behind by an earlier run of B, whose host crashed with its release guard
    await startAll(cluster, B);
    await clock.advance(0);
    assert.deepEqual(cluster.holders(), [A], 'no second holder while B listens');
    assert.ok(cluster.get(B).logger.has('left bound by an earlier run: a starting node holds nothing'));
    await clock.advance(2000);
    assert.deepEqual(cluster.holders(), [A]);
  });

  it('a restarted daemon that is the rightful master binds its stale address again once its listen window ends', async () => {
    const a = cluster.add(A);
    cluster.segment.holders.add(A);
    await startAll(cluster, A);
    await clock.advance(0);
    assert.deepEqual(cluster.holders(), []);
    await clock.advance(a.node.listenWindowMs + 100);
    assert.deepEqual(cluster.holders(), [A]);
  });

  it('a failed bind leaves nothing bound and retries at the next tick', async () => {
    const a = cluster.add(A);
    a.table.failNextBind = new Error('SIOCSIFADDR: Operation not permitted');
    await startAll(cluster, A);
    await clock.advance(3500);
    assert.ok(a.logger.has('address operation failed'));
    await clock.advance(2000);
    assert.deepEqual(cluster.holders(), [A]);
  });

  it('emits one state change event per transition', async () => {
    const a = cluster.add(A);
    const seen: string[] = [];
    a.node.onStateChange((c) => seen.push(`${c.from}->${c.to}`));
    await startAll(cluster, A);
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
    await startAll(cluster, A);
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
    await startAll(cluster, B);
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
    await startAll(cluster, A, B);
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
    await startAll(cluster, A, B);
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
    await startAll(cluster, A, B);
    await clock.advance(5000);
    cluster.network.crashHost(B);
    cluster.segment.holders.add('intruder');
    await clock.advance(15_000);
    assert.equal(a.node.state, 'BACKUP');
    // the crashed master's host answers no ARP, so the intruder's answer is no stalled master's
    assert.ok(a.logger.has(`not taking 198.18.0.100 over: it is in use by another host (ARP reply from mac-of-intruder; the silent node ${B} did not answer ARP)`));
    assert.ok(a.metrics.conflicts >= 1);
    cluster.segment.holders.delete('intruder');
    await clock.advance(1500);
    assert.equal(a.node.state, 'MASTER', 'it kept looking, and took over once the address went quiet');
  });

  it('the loser of a healed split stays quiet: only the winner announces again', async () => {
    const a = cluster.add(A);
    await startAll(cluster, A);
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
    await startAll(cluster, A);
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
