import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ElectMaster, type ElectionView } from '../../../src/application/index.js';
import { EchoTiming, Ipv4Address, Lease, PeerHeartbeatElection, type NodeState, type PeerNode } from '../../../src/domain/index.js';
import { aPeer } from '../../support/builders.js';

const elect = new ElectMaster(new PeerHeartbeatElection());
const NOW = 100_000;
/** A 10 s timeout and a 1 s interval: a 3 s listen window and preemption delay. */
const TIMING = EchoTiming.create({ intervalMs: 1000, timeoutMs: 10_000 });

function view(state: NodeState, peers: PeerNode[], over: Partial<ElectionView> = {}): ElectionView {
  return {
    self: { id: Ipv4Address.create('198.18.0.11'), priority: 100, state, term: 1 },
    peers,
    lease: null,
    now: NOW,
    startedAt: 0,
    timing: TIMING,
    ...over,
  };
}

/** Heard just now, as far as an election is concerned. */
const RECENTLY = NOW - 100;

describe('ElectMaster', () => {
  it('waits out the listen window after start', () => {
    assert.deepEqual(elect.execute(view('INIT', [], { startedAt: NOW - 1000 })), { kind: 'stay' });
  });

  it('joins a live master as backup at once, even inside the listen window', () => {
    const d = elect.execute(view('INIT', [aPeer().masterHeardAt(RECENTLY)], { startedAt: NOW }));
    assert.equal(d.kind, 'become-backup');
  });

  it('takes over alone after the listen window', () => {
    assert.equal(elect.execute(view('INIT', [])).kind, 'take-over');
  });

  it('higher priority wins the election', () => {
    assert.equal(elect.execute(view('INIT', [aPeer().withPriority(150).starting().heardAt(RECENTLY)])).kind, 'become-backup');
    assert.equal(elect.execute(view('INIT', [aPeer().withPriority(50).starting().heardAt(RECENTLY)])).kind, 'take-over');
  });

  it('equal priority: the higher local_ip wins', () => {
    assert.equal(elect.execute(view('INIT', [aPeer().from('198.18.0.12').starting().heardAt(RECENTLY)])).kind, 'become-backup');
    assert.equal(elect.execute(view('INIT', [aPeer().from('198.18.0.10').starting().heardAt(RECENTLY)])).kind, 'take-over');
  });

  it('a backup stays while the master is heard', () => {
    assert.deepEqual(elect.execute(view('BACKUP', [aPeer().masterHeardAt(RECENTLY)])), { kind: 'stay' });
  });

  it('after the timeout, only the best remaining backup takes over, naming the silence', () => {
    const master = aPeer().from('198.18.0.20').inTerm(4).masterHeardAt(NOW - 10_500);
    const lease = Lease.grant(master.id, 4, NOW - 10_500, 10_000);
    const better = aPeer().from('198.18.0.12').backupHeardAt(RECENTLY);
    const worse = aPeer().from('198.18.0.10').backupHeardAt(RECENTLY);
    assert.deepEqual(elect.execute(view('BACKUP', [master, better], { lease })), { kind: 'stay', waitingFor: better.id });
    const d = elect.execute(view('BACKUP', [master, worse], { lease }));
    assert.deepEqual(d, { kind: 'take-over', reason: 'no heartbeat from 198.18.0.20 for 10500 ms', handover: false, cause: 'timeout' });
  });

  it('after the round before expiry, a better backup that did not speak in it does not count', () => {
    const master = aPeer().from('198.18.0.20').inTerm(4).masterHeardAt(NOW - 10_500);
    const lease = Lease.grant(master.id, 4, NOW - 10_500, 10_000);
    const roundSince = NOW - 10_500;
    const spoke = aPeer().from('198.18.0.12').backupHeardAt(NOW - 200);
    const silent = aPeer().from('198.18.0.12').backupHeardAt(NOW - 12_000);
    assert.ok(silent.isAlive(NOW, TIMING), 'a backup counts as alive for 2.5 timeouts');
    assert.deepEqual(elect.execute(view('BACKUP', [master, spoke], { lease, roundSince })), { kind: 'stay', waitingFor: spoke.id });
    assert.equal(elect.execute(view('BACKUP', [master, silent], { lease, roundSince })).kind, 'take-over');
    assert.deepEqual(elect.execute(view('BACKUP', [master, silent], { lease })), { kind: 'stay', waitingFor: silent.id }, 'without a round it still counts');
  });

  it('a graceful stop is a handover: no probe needed', () => {
    const master = aPeer().from('198.18.0.20').inTerm(1).masterHeardAt(RECENTLY);
    const lease = Lease.grant(master.id, 1, NOW - 100, 10_000);
    master.observe(aPeer().from('198.18.0.20').inState('STOPPING').heartbeat(), NOW, TIMING);
    const d = elect.execute(view('BACKUP', [master], { lease }));
    assert.equal(d.kind, 'take-over');
    assert.ok(d.kind === 'take-over' && d.handover && /handed over/.test(d.reason));
  });

  it('a killed daemon (refused reconnect) is taken over at once but probed first', () => {
    const master = aPeer().from('198.18.0.20').inTerm(1).masterHeardAt(RECENTLY);
    master.markLost('refused', NOW);
    const d = elect.execute(view('BACKUP', [master], { lease: Lease.grant(master.id, 1, NOW - 100, 10_000) }));
    assert.ok(d.kind === 'take-over' && !d.handover && /refused/.test(d.reason));
  });

  it('stickiness: a master keeps the address when a higher-priority backup without preemption joins', () => {
    assert.deepEqual(elect.execute(view('MASTER', [aPeer().withPriority(200).backupHeardAt(NOW - 5000)])), { kind: 'stay' });
  });

  it('preemption: a master hands over to a higher-priority backup that asks for it, once it is stable', () => {
    const fresh = aPeer().withPriority(200).preempting().heardAt(RECENTLY);
    assert.deepEqual(elect.execute(view('MASTER', [fresh])), { kind: 'stay' });
    const stable = aPeer().withPriority(200).preempting().heardAt(NOW - 5000);
    stable.observe(aPeer().withPriority(200).preempting().heartbeat(), RECENTLY, TIMING);
    const d = elect.execute(view('MASTER', [stable]));
    assert.equal(d.kind, 'hand-over');
  });

  it('split brain in one term: the lower-ranked master steps down, the higher one re-announces', () => {
    assert.equal(elect.execute(view('MASTER', [aPeer().from('198.18.0.12').inTerm(1).masterHeardAt(RECENTLY)])).kind, 'step-down');
    assert.equal(elect.execute(view('MASTER', [aPeer().from('198.18.0.10').inTerm(1).masterHeardAt(RECENTLY)])).kind, 'reassert');
    assert.equal(elect.execute(view('MASTER', [aPeer().from('198.18.0.12').withPriority(90).inTerm(1).masterHeardAt(RECENTLY)])).kind, 'reassert');
  });

  it('split brain across terms: the newer term wins whatever the rank, also across the wrap of the term space', () => {
    const lower = aPeer().from('198.18.0.10').withPriority(1).inTerm(2).masterHeardAt(RECENTLY);
    assert.deepEqual(elect.execute(view('MASTER', [lower])), {
      kind: 'step-down',
      to: lower.id,
      reason: 'split brain: 198.18.0.10 (priority 1) also holds the address and holds it in a newer term (2, this node\'s 1)',
      cause: 'split-brain',
    });
    assert.equal(elect.execute(view('MASTER', [aPeer().from('198.18.0.12').withPriority(200).inTerm(0).masterHeardAt(RECENTLY)])).kind, 'reassert');
    const wrapped = view('MASTER', [aPeer().from('198.18.0.10').inTerm(3).masterHeardAt(RECENTLY)], { self: { id: Ipv4Address.create('198.18.0.11'), priority: 100, state: 'MASTER', term: 2 ** 32 - 2 } });
    assert.equal(elect.execute(wrapped).kind, 'step-down');
  });

  it('ignores peers it has not heard within the timeout', () => {
    assert.equal(elect.execute(view('INIT', [aPeer().withPriority(200).starting().heardAt(NOW - 20_000)])).kind, 'take-over');
  });
});
