import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { EchoTiming, MAX_PEERS, PeerTable, isNewerTerm, latestTerm, nextTerm, parseHeartbeat, toWire } from '../../../src/domain/index.js';
import { aHeartbeat, aSettings } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-clock.js';
import { SimCluster, type SimNode } from '../../support/cluster.js';

const SECOND = EchoTiming.create({ intervalMs: 100, timeoutMs: 1000 });

const A = '198.18.0.11';
const B = '198.18.0.12';
const GROUP = { via: 'group', signed: false } as const;

/** A and B after a cold start: B, the higher address, is master. */
async function pairWithMasterB(): Promise<{ clock: FakeClock; cluster: SimCluster }> {
  const clock = new FakeClock();
  const cluster = new SimCluster(clock);
  cluster.add(A);
  cluster.add(B);
  for (const id of [A, B]) await cluster.get(id).node.start();
  await clock.advance(5000);
  assert.deepEqual(cluster.holders(), [B]);
  return { clock, cluster };
}

describe('terms stay in range, whatever a peer sends', () => {
  it('a term past 32 bits is refused on the wire; the node never produces one', () => {
    const wire = { ...toWire(aHeartbeat({ state: 'MASTER' })), term: 2 ** 53 - 1 };
    assert.deepEqual(parseHeartbeat(wire), { ok: false, reason: 'bad term' });
    assert.equal(parseHeartbeat({ ...wire, term: 2 ** 32 - 1 }).ok, true);
    assert.equal(nextTerm(2 ** 32 - 1), 1);
  });

  it('terms compare as serial numbers: newer by less than half the space', () => {
    assert.ok(isNewerTerm(2, 1));
    assert.ok(isNewerTerm(1, 2 ** 32 - 1), 'across the wrap');
    assert.ok(!isNewerTerm(1, 1));
    assert.ok(!isNewerTerm(2 ** 31, 0) && !isNewerTerm(0, 2 ** 31), 'half the space apart: neither, rank decides');
    assert.equal(latestTerm(5, 2 ** 32 - 3, 7), 7);
  });
});

describe('forged input cannot move the address (virtual time, timeout 10 s, heartbeat 1 s)', () => {
  let clock: FakeClock;
  let cluster: SimCluster;

  beforeEach(async () => {
    ({ clock, cluster } = await pairWithMasterB());
  });

  it('term poisoning: a forged heartbeat with the largest term leaves the pair able to talk, and a healed split with one holder', async () => {
    const [a, b] = [cluster.get(A), cluster.get(B)];
    for (const n of [a, b]) n.transport.receive(aHeartbeat({ id: '198.18.0.66', state: 'MASTER', priority: 1, term: 2 ** 32 - 1 }), GROUP);
    await clock.advance(3000);
    // every heartbeat either sends is one its peers accept
    for (const n of [a, b]) for (const m of n.transport.sent) assert.equal(parseHeartbeat(toWire(m)).ok, true, `term ${m.term}`);
    await cluster.partitionFor(B, 12_000);
    assert.deepEqual(cluster.masters(), [A, B]);
    cluster.network.heal(B);
    await clock.advance(1000);
    assert.deepEqual(cluster.masters(), [A]);
    assert.deepEqual(cluster.holders(), [A]);
  });

  it('a goodbye on the group, unsigned, is probed first: seven forged ones move nothing', async () => {
    const a = cluster.get(A);
    const probes = a.probe.probes;
    for (let i = 0; i < 7; i++) {
      a.transport.receive(aHeartbeat({ id: B, state: 'STOPPING', term: 1, seq: 2 ** 40 + i }), GROUP);
      await clock.advance(1400);
    }
    assert.deepEqual(cluster.holders(), [B]);
    assert.equal(a.node.state, 'BACKUP');
    assert.ok(a.probe.probes > probes, 'each forged goodbye is checked on the wire');
    assert.ok(a.logger.has('not taking 198.18.0.100 over: it is in use by another host'));
    // a real goodbye still hands over at once, without a probe
    const before = a.probe.probes;
    await cluster.get(B).node.stop('SIGTERM received');
    await clock.advance(1);
    assert.deepEqual(cluster.holders(), [A]);
    assert.equal(a.probe.probes, before);
  });

  it('a goodbye heard first on the group and then on the sender\'s connection is a handover without a probe', async () => {
    const a = cluster.get(A);
    const before = a.probe.probes;
    const bye = aHeartbeat({ id: B, state: 'STOPPING', term: 1, seq: 2 ** 40 });
    cluster.segment.holders.delete(B);
    a.transport.receive(bye, GROUP);
    await clock.advance(1);
    a.transport.receive(bye);
    await clock.advance(1);
    assert.deepEqual(cluster.holders(), [A]);
    assert.equal(a.probe.probes, before);
    assert.ok(a.logger.has(`${B} handed over: it is stopping and released the address (term`));
  });

  it('a datagram in the master\'s name with a sequence number far ahead neither silences the master nor moves the address', async () => {
    const a = cluster.get(A);
    a.transport.receive(aHeartbeat({ id: B, state: 'MASTER', term: 1, seq: 2 ** 50 }), GROUP);
    await clock.advance(30_000);
    assert.deepEqual(cluster.holders(), [B]);
    assert.equal(a.node.state, 'BACKUP');
    const peer = a.node.status().peers.find((p) => p.id === B)!;
    assert.ok(peer.alive && peer.lastSeenMsAgo < 2000, `B last seen ${peer.lastSeenMsAgo} ms ago`);
    assert.ok(!a.logger.has('MASTER:'), 'no takeover');
  });

  it('a release on the group, unsigned, is probed first too', async () => {
    const a = cluster.get(A);
    a.transport.receive(aHeartbeat({ id: B, state: 'BACKUP', term: 1, seq: 2 ** 40 }), GROUP);
    await clock.advance(3000);
    assert.deepEqual(cluster.holders(), [B]);
    assert.equal(a.node.state, 'BACKUP');
  });
});

describe('a forged rival in front of the real one (virtual time, timeout 10 s, heartbeat 1 s)', () => {
  it('a master checks the forged claim, passes it over, and steps down for the real holder of the newer term', async () => {
    const clock = new FakeClock();
    const cluster = new SimCluster(clock);
    const a = cluster.add(A);
    await a.node.start();
    await clock.advance(5000);
    cluster.segment.holders.add(B); // B really took the address over while A was cut off
    for (let i = 0; i < 30; i++) {
      a.transport.receive(aHeartbeat({ id: '198.18.0.66', state: 'MASTER', priority: 254, term: 50 + i }), GROUP);
      if (i % 5 === 0) a.transport.receive(aHeartbeat({ id: B, state: 'MASTER', term: 9 }));
      await clock.advance(100);
    }
    assert.equal(a.node.state, 'BACKUP');
    assert.deepEqual(cluster.holders(), [B]);
    assert.ok(a.logger.has(`MASTER -> BACKUP: split brain: ${B}`));
    assert.ok(a.probe.macLookups.length <= 8, `${a.probe.macLookups.length} ARP lookups`);
  });
});

describe('forged claims do not keep the backups waiting (virtual time, timeout 10 s, heartbeat 1 s)', () => {
  const F = '198.18.0.66';
  let clock: FakeClock;
  let cluster: SimCluster;
  /** F says what it is told every interval for `ms`, on the group, unsigned. */
  async function forgeFor(ms: number, over: Parameters<typeof aHeartbeat>[0]): Promise<void> {
    for (let t = 0; t < ms; t += 1000) {
      for (const id of [A, B]) cluster.get(id).transport.receive(aHeartbeat({ id: F, ...over }), GROUP);
      await clock.advance(1000);
    }
  }

  beforeEach(async () => {
    ({ clock, cluster } = await pairWithMasterB());
  });

  it('a forged master: its claim is checked and refuted, so the master\'s crash is still taken over at the timeout', async () => {
    await forgeFor(3000, { state: 'MASTER', priority: 254, term: 40 });
    const a = cluster.get(A);
    assert.ok(a.logger.has(`${F} says it is master, but 198.18.0.100 answers from mac-of-${B}`), a.logger.lines.join("\n"));
    cluster.network.crashHost(B);
    await forgeFor(12_000, { state: 'MASTER', priority: 254, term: 40 });
    assert.deepEqual(cluster.holders(), [A]);
  });

  it('a forged better backup is passed over two timeouts after the master is gone', async () => {
    cluster.network.crashHost(B);
    await forgeFor(20_000, { state: 'BACKUP', priority: 254 });
    assert.deepEqual(cluster.holders(), [], 'A waits for the better node at first');
    await forgeFor(15_000, { state: 'BACKUP', priority: 254 });
    assert.deepEqual(cluster.holders(), [A]);
    assert.ok(cluster.get(A).logger.has(`${F} outranks this node but has not taken the address over: passing it over`));
  });

  it('two forged better backups that take turns at the top do not restart the wait', async () => {
    cluster.network.crashHost(B);
    const a = cluster.get(A);
    for (let t = 0; t < 60_000; t += 1000) {
      a.transport.receive(aHeartbeat({ id: t % 2000 === 0 ? F : '198.18.0.67', state: 'BACKUP', priority: 254 }), GROUP);
      a.transport.receive(aHeartbeat({ id: t % 2000 === 0 ? '198.18.0.67' : F, state: 'BACKUP', priority: 253 }), GROUP);
      await clock.advance(1000);
    }
    assert.deepEqual(cluster.holders(), [A]);
  });

  it('a peer that flips between MASTER and BACKUP on its own connection costs the master at most two announcements an interval', async () => {
    const b = cluster.get(B);
    const announced = b.announcer.announcements.length;
    const forgotten = b.announcer.forgotten;
    for (let i = 0; i < 100; i++) {
      b.transport.receive(aHeartbeat({ id: F, state: i % 2 === 0 ? 'MASTER' : 'BACKUP', term: 1 }));
      await clock.advance(20);
    }
    // 2 s at a 1 s interval
    assert.ok(b.announcer.announcements.length - announced <= 6, `${b.announcer.announcements.length - announced} announcements`);
    assert.ok(b.announcer.forgotten - forgotten <= 3, `${b.announcer.forgotten - forgotten} neighbour flushes`);
    assert.equal(b.node.state, 'MASTER');
  });

  it('with preemption, a forged challenger gets the address once, is passed over, and not handed it again', async () => {
    const b = cluster.get(B);
    b.node.reconfigure({ ...aSettings({ id: B }), preempt: true });
    await forgeFor(5000, { state: 'BACKUP', priority: 254, preempt: true });
    assert.deepEqual(cluster.holders(), [], 'B handed over to the forged challenger');
    await forgeFor(40_000, { state: 'BACKUP', priority: 254, preempt: true });
    assert.equal(cluster.holders().length, 1, 'taken back after the challenger did not take over');
    const holder = cluster.holders()[0]!;
    await forgeFor(30_000, { state: 'BACKUP', priority: 254, preempt: true });
    assert.deepEqual(cluster.holders(), [holder], 'not handed over again');
  });
});

describe('a real rival at a heal, its ARP look-ups troubled (virtual time, timeout 10 s, heartbeat 1 s)', () => {
  /** A alone and master; B holds the address too and says so every 100 ms for `ms`; `trouble` spoils A's look-ups first. */
  async function masterHearsRealRival(trouble: (a: SimNode) => void, ms: number): Promise<{ a: SimNode; cluster: SimCluster }> {
    const clock = new FakeClock();
    const cluster = new SimCluster(clock);
    const a = cluster.add(A);
    await a.node.start();
    await clock.advance(5000);
    cluster.segment.holders.add(B);
    trouble(a);
    for (let t = 0; t < ms; t += 100) {
      a.transport.receive(aHeartbeat({ id: B, state: 'MASTER', term: 9 }));
      await clock.advance(100);
    }
    return { a, cluster };
  }

  it('one lost ARP reply does not keep the split standing: the master looks again and steps down', async () => {
    const { a, cluster } = await masterHearsRealRival((n) => n.probe.loseReplies(2), 1000);
    assert.equal(a.node.state, 'BACKUP');
    assert.deepEqual(cluster.holders(), [B]);
  });

  it('a look-up that fails is no verdict: the master looks again, and steps down once one answers', async () => {
    const { a } = await masterHearsRealRival((n) => n.probe.failLookups(4), 1500);
    assert.equal(a.node.state, 'BACKUP');
    assert.ok(a.logger.has(`could not check ${B}'s claim to the address`));
  });
});

describe('the peer table is bounded', () => {
  it('a flood of sources fills it to its limit; live peers are never pushed out, silent ones are forgotten', () => {
    const table = new PeerTable(8);
    const real = table.admit(aHeartbeat({ id: '198.18.0.12' }), 0, SECOND)!;
    for (let i = 0; i < 100; i++) table.admit(aHeartbeat({ id: `198.18.1.${i}` }), 10, SECOND);
    assert.equal(table.size, 8);
    assert.ok(table.get(real.id), 'the live peer stays');
    // the forged ones fall silent; a minute later they are gone, the newcomer is admitted
    assert.ok(table.admit(aHeartbeat({ id: '198.18.2.1' }), 61_000, SECOND));
    assert.ok(table.size <= 2);
    assert.equal(MAX_PEERS, 64);
  });

  it('the silent peer a node must remember (its lease holder) is never the one to give way', () => {
    const table = new PeerTable(2);
    const master = table.admit(aHeartbeat({ id: '198.18.0.12', state: 'MASTER' }), 0, SECOND)!;
    table.admit(aHeartbeat({ id: '198.18.0.13' }), 0, SECOND);
    table.admit(aHeartbeat({ id: '198.18.1.1' }), 5000, SECOND, (p) => p.id.equals(master.id));
    assert.ok(table.get(master.id), 'the silent master stays');
  });

  it('a node keeps at most MAX_PEERS peers, however many sources speak', async () => {
    const clock = new FakeClock();
    const cluster = new SimCluster(clock);
    const a = cluster.add(A);
    await a.node.start();
    for (let i = 0; i < 300; i++) a.transport.receive(aHeartbeat({ id: `198.18.${1 + (i >> 8)}.${i & 255}`, state: 'BACKUP' }), GROUP);
    assert.equal(a.node.status().peers.length, MAX_PEERS);
    const lines = a.logger.lines.length;
    assert.ok(lines < 40, `${lines} log lines for 300 sources`);
  });
});
