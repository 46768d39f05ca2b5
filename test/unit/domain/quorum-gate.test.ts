import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ipv4Address, PeerHeartbeatElection, QuorumElection, type MachineConfig } from '../../../src/domain/index.js';
import { MachineHarness, aMachineConfig, kinds, only } from '../../support/machine-harness.js';

/** One node in quorum mode, heartbeat 100 ms, timeout 1 s, alone: elected when its listen window (500 ms) ends. */
function quorumNode(): MachineHarness {
  const base = aMachineConfig({ intervalMs: 100, timeoutMs: 1000 });
  const config: MachineConfig = { ...base, election: new QuorumElection(new PeerHeartbeatElection()), quorum: { onLoss: 'release' } };
  return new MachineHarness(config);
}

/** Started, the key heard free, elected at the end of the listen window: it campaigns. */
function campaigning(): MachineHarness {
  const m = quorumNode();
  m.start(0);
  m.at(10).step({ kind: 'quorum-key', key: { kind: 'free' } });
  // the look again that a free key sets, an interval on (the harness fires deadlines only when asked)
  m.fire('recheck');
  const out = m.fire('tick');
  for (let i = 0; i < 10 && !kinds(out).includes('campaign'); i++) out.push(...m.fire('tick'));
  assert.ok(kinds(out).includes('campaign'), `no campaign: ${kinds(out).join(', ')}`);
  return m;
}

describe('quorum mode in the machine: the key, the fence and what may never happen', () => {
  it('binds with a key won well before its fence, and releases at the fence when no renewal came', () => {
    const m = campaigning();
    const out = m.at(m.now).step({ kind: 'quorum-key', key: { kind: 'ours', holdUntil: m.now + 2970 }, campaigned: true });
    assert.ok(kinds(out).includes('bind'));
    m.at(m.now + 20).step({ kind: 'bind-done', result: { kind: 'bound', alreadyBound: false } });
    assert.equal(m.state.role, 'MASTER');
    const fence = m.dueAt('fence')!;
    const released = m.fire('fence');
    assert.deepEqual(only(released, 'release').map((r) => r.purpose.kind), ['give-way']);
    assert.ok(fence <= m.now && m.now < fence + 1);
  });

  it('does not start a takeover too near the fence: the bind must be done before it', () => {
    const m = campaigning();
    // won, but the renewal it rode on is old: 450 ms to the fence, less than the 500 ms a bind is given
    const holdUntil = m.now + 450 + 400;
    const out = m.at(m.now).step({ kind: 'quorum-key', key: { kind: 'ours', holdUntil }, campaigned: true });
    assert.ok(!kinds(out).includes('bind'), `bound anyway: ${kinds(out).join(', ')}`);
    // a renewal gives it the time again
    const renewed = m.at(m.now + 100).step({ kind: 'quorum-key', key: { kind: 'ours', holdUntil: m.now + 100 + 2970 } });
    assert.ok(kinds(renewed).includes('bind'));
  });

  it('a key being given back is not used for a bind, even when the election turns to this node meanwhile', () => {
    const m = campaigning();
    // a master appeared while the campaign ran: the key is won but not used, so it is given back
    masterAppears(m);
    const won = m.step({ kind: 'quorum-key', key: { kind: 'ours', holdUntil: m.now + 2970 }, campaigned: true });
    assert.ok(kinds(won).includes('resign'), `not given back: ${kinds(won).join(', ')}`);
    // the master goes silent; renewals still say the key is this node's: it must not bind on a key it gave back
    const later = m.now + 3000;
    const out = [...m.at(later).step({ kind: 'quorum-key', key: { kind: 'ours', holdUntil: later + 2970 } }), ...m.at(later + 10).step({ kind: 'wake' })];
    assert.ok(!kinds(out).includes('bind'), `bound on a key being given back: ${kinds(out).join(', ')}`);
    // once the store says it is free, the node asks for it again
    const free = m.at(later + 20).step({ kind: 'quorum-key', key: { kind: 'free' } });
    assert.ok(kinds(free).includes('campaign'));
  });

  it('a resign that failed is asked again an interval later', () => {
    const m = campaigning();
    masterAppears(m);
    assert.ok(kinds(m.step({ kind: 'quorum-key', key: { kind: 'ours', holdUntil: m.now + 2970 }, campaigned: true })).includes('resign'));
    const failed = m.step({ kind: 'quorum-resigned', error: 'etcd unreachable' });
    assert.ok(!kinds(failed).includes('resign'), 'not at once');
    assert.ok(kinds(m.fire('recheck')).includes('resign'), 'again an interval later');
  });

  it('keeps the key while the address may still be bound (a release that threw)', () => {
    const m = campaigning();
    m.at(m.now).step({ kind: 'quorum-key', key: { kind: 'ours', holdUntil: m.now + 2970 }, campaigned: true });
    m.at(m.now + 20).step({ kind: 'bind-done', result: { kind: 'bound', alreadyBound: false } });
    // etcd says the key is held by another node: release; the release throws, and its clean-up too
    const out = m.step({ kind: 'quorum-key', key: { kind: 'held', holder: '198.18.0.12', lease: '7' } });
    assert.ok(kinds(out).includes('release'));
    const failed = m.step({ kind: 'operation-failed', error: 'ifconfig failed', purpose: { kind: 'give-way', reason: 'x', cause: 'quorum-held' } });
    assert.ok(!kinds(failed).includes('resign'));
    assert.equal(m.state.quorum.mayBeBound, true);
  });
});

/** A master is heard while the campaign runs: this node becomes its backup (and ends that release). */
function masterAppears(m: MachineHarness): void {
  const message = { id: Ipv4Address.create('198.18.0.12'), vip: m.state.config.address.ip, priority: 200, state: 'MASTER' as const, term: 1, preempt: false, seq: 1 };
  const out = m.at(m.now).step({ kind: 'heartbeat', message, trusted: true });
  const release = only(out, 'release')[0];
  assert.ok(release, `no release: ${kinds(out).join(', ')}`);
  m.step({ kind: 'released', purpose: release.purpose, removed: false });
  assert.equal(m.state.role, 'BACKUP');
}
