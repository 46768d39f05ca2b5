import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ipv4Address } from '../../../src/domain/index.js';
import { aHeartbeat } from '../../support/builders.js';
import { MachineHarness, aMachineConfig, kinds, only } from '../../support/machine-harness.js';

const MASTER = '198.18.0.12';

/** A backup of MASTER (timeout 10 s, interval 1 s): started, heard the master at t=100, released nothing. */
function aBackupOfAMaster(): MachineHarness {
  const m = new MachineHarness();
  m.start();
  m.at(100).step({ kind: 'heartbeat', message: aHeartbeat({ id: MASTER, state: 'MASTER', term: 1, priority: 150 }), trusted: true });
  m.step({ kind: 'released', purpose: { kind: 'become-backup', reason: 'master alive', cause: 'master-alive' }, removed: false });
  assert.equal(m.state.role, 'BACKUP');
  return m;
}

describe('the address machine (pure: events in, effects out)', () => {
  it('a backup whose master falls silent speaks on every channel and probes before the lease ends, then binds at its end', () => {
    const m = aBackupOfAMaster();
    m.fire('tick');
    assert.equal(m.dueAt('tick'), undefined, 'a backup that hears its master needs no tick, only the lease');
    const lead = m.dueAt('expiry')!;
    assert.ok(lead < 100 + 10_000, 'woken before the lease runs out');
    const expiring = m.fire('expiry');
    assert.deepEqual(kinds(expiring).filter((k) => k === 'send' || k === 'pre-probe'), ['send', 'pre-probe']);
    assert.equal(only(expiring, 'send')[0]!.everyChannel, true);
    const expired = m.fire('expiry');
    assert.equal(m.now, 100 + 10_000, 'at the end of the lease, not at a tick');
    const [bind] = only(expired, 'bind');
    assert.ok(bind, `a bind among ${kinds(expired).join(', ')}`);
    assert.equal(bind.plan.skipProbe, false);
    assert.equal(bind.plan.displace?.toString(), MASTER, 'only the silent master may still answer for the address');
    assert.equal(bind.ifPreProbedFree?.skipProbe, true, 'the pre-expiry probe, if it found the address free, saves the probe');
    const bound = m.step({ kind: 'bind-done', result: { kind: 'bound', alreadyBound: false } });
    const [change] = only(bound, 'transition');
    assert.equal(change?.change.to, 'MASTER');
    assert.equal(change?.change.cause, 'timeout');
    assert.equal(m.state.term, 2, 'a newer term than the master it replaced');
  });

  it('a decision asked for while an operation runs is not made then, and is asked again once it ends', () => {
    const m = new MachineHarness();
    m.start();
    m.at(100).step({ kind: 'heartbeat', message: aHeartbeat({ id: MASTER, state: 'MASTER', term: 1 }), trusted: true });
    assert.equal(m.state.operation?.kind, 'release');
    const meanwhile = m.at(150).step({ kind: 'health-changed' });
    assert.deepEqual(only(meanwhile, 'metric'), [], 'not evaluated while the release runs');
    const after = m.at(160).step({ kind: 'released', purpose: { kind: 'become-backup', reason: 'master alive', cause: 'master-alive' }, removed: false });
    assert.equal(only(after, 'metric').filter((e) => e.metric.kind === 'state').length, 1, 'evaluated once, after the operation');
    assert.equal(m.state.operation, null);
  });

  it('a stop while a takeover binds: the bind ends, the node does not become master, and stops from INIT', () => {
    const m = new MachineHarness();
    m.start();
    let effects = m.fire('tick');
    while (only(effects, 'bind').length === 0) effects = m.fire('tick');
    assert.equal(m.state.role, 'INIT');
    assert.deepEqual(kinds(m.step({ kind: 'stop', reason: 'SIGTERM' })), ['clear-timers', 'stop-health']);
    assert.deepEqual(m.step({ kind: 'bind-done', result: { kind: 'bound', alreadyBound: false } }), []);
    assert.equal(m.state.role, 'STOPPING');
    const [goodbye] = only(m.step({ kind: 'stop-released', removed: true }), 'goodbye');
    assert.equal(goodbye?.message.state, 'STOPPING');
    const [stopped] = only(m.step({ kind: 'stopped', told: true }), 'transition');
    assert.deepEqual([stopped?.change.from, stopped?.change.to, stopped?.change.reason], ['INIT', 'STOPPED', 'SIGTERM']);
  });

  it('a fatal check releases the address and faults; the check passing again makes it a backup', () => {
    const m = aBackupOfAMaster();
    m.health = { penalty: 0, fatal: 'check nginx failed', witnessOkAt: null };
    const [release] = only(m.at(200).step({ kind: 'health-changed' }), 'release');
    assert.equal(release?.purpose.kind, 'fault');
    const [fault] = only(m.step({ kind: 'released', purpose: release!.purpose, removed: false }), 'transition');
    assert.equal(fault?.change.to, 'FAULT');
    m.health = { penalty: 0, fatal: null, witnessOkAt: null };
    const [recovered] = only(m.at(300).step({ kind: 'health-changed' }), 'transition');
    assert.deepEqual([recovered?.change.to, recovered?.change.cause], ['BACKUP', 'recovered']);
  });

  it('nothing from the network moves a stopped machine', () => {
    const m = new MachineHarness();
    assert.deepEqual(m.step({ kind: 'heartbeat', message: aHeartbeat({ state: 'MASTER', term: 9 }), trusted: true }), []);
    assert.deepEqual(m.step({ kind: 'peer-lost', id: Ipv4Address.create(MASTER), detail: 'refused' }), []);
    assert.equal(m.state.peers.size, 0);
  });
});

describe('a start that hears no master', () => {
  it('probes the address once just before its listen window ends, and binds without a probe of its own if that found it free', () => {
    const m = new MachineHarness(aMachineConfig({ timeoutMs: 1000, intervalMs: 100 }));
    m.start();
    const lead = m.state.config.timing.probeLeadMs;
    const listen = m.state.config.timing.listenWindowMs;
    const probes: number[] = [];
    let effects = m.fire('tick');
    while (only(effects, 'bind').length === 0) {
      if (only(effects, 'pre-probe').length > 0) probes.push(m.now);
      effects = m.fire('tick');
    }
    assert.equal(probes.length, 1, 'one pre-probe');
    assert.ok(listen - probes[0]! <= lead && probes[0]! < listen, `probed at ${probes[0]}, listen window ${listen}, lead ${lead}`);
    const [bind] = only(effects, 'bind');
    assert.equal(bind!.plan.skipProbe, false, 'the probe of its own, if the pre-probe found the address in use');
    assert.equal(bind!.ifPreProbedFree?.skipProbe, true);
  });

  it('announces again once, a few seconds after it took the address, but not when that deadline comes late from a stall', () => {
    const alone = (): MachineHarness => {
      const m = new MachineHarness(aMachineConfig({ timeoutMs: 1000, intervalMs: 100 }));
      m.start();
      while (only(m.fire('tick'), 'bind').length === 0);
      m.step({ kind: 'bind-done', result: { kind: 'bound', alreadyBound: false } });
      assert.equal(m.state.role, 'MASTER');
      return m;
    };
    const onTime = alone();
    assert.equal(only(onTime.fire('reannounce'), 'announce').length, 1);

    // SIGSTOP for seconds: the daemon wakes with its deadlines long past and its peers' heartbeats still unread
    const late = alone();
    const due = late.dueAt('reannounce')!;
    const effects = late.at(due + 5000).step({ kind: 'timer', name: 'reannounce' });
    assert.deepEqual(only(effects, 'announce'), [], 'a master that may have been replaced while it stalled announces nothing from an old deadline');
  });

  it('a better node that bound the address and stalled before it was heard as master is displaced from its own host, and only from it', () => {
    const m = new MachineHarness(aMachineConfig({ timeoutMs: 3600, intervalMs: 1000 }));
    m.start();
    // heard once, starting and outranking this node; then it bound the address and stalled before its first MASTER heartbeat
    m.at(10).step({ kind: 'heartbeat', message: aHeartbeat({ id: MASTER, state: 'INIT', term: 0, priority: 150 }), trusted: true });
    let bind: ReturnType<typeof only<'bind'>> = [];
    for (let i = 0; i < 50 && bind.length === 0; i++) {
      const effects = m.fire('tick');
      // this node, now a backup waiting for the better one, removes nothing: nothing was bound here
      for (const r of only(effects, 'release')) m.step({ kind: 'released', purpose: r.purpose, removed: false });
      bind = only(effects, 'bind');
    }
    assert.ok(m.now >= 3600, `not before the better node has been silent for the timeout (bound at ${m.now})`);
    assert.equal(bind.length, 1, 'takes over once the better node has been silent');
    assert.equal(bind[0]!.plan.displace?.toString(), MASTER, 'the silent node whose host answers for the address may be displaced');

    // it took its term as it bound, a term this node never heard: the takeover's must be newer, or the resumed node's rank wins the tie
    m.step({ kind: 'bind-done', result: { kind: 'bound', alreadyBound: false, displaced: 'mac-of-master' } });
    assert.equal(m.state.role, 'MASTER');
    const resumed = m.step({ kind: 'heartbeat', message: aHeartbeat({ id: MASTER, state: 'MASTER', term: 1, priority: 150 }), trusted: true });
    assert.deepEqual(kinds(resumed).filter((k) => k === 'check-holder' || k === 'release'), [], 'it does not give way to the node it displaced');
    assert.equal(m.state.role, 'MASTER');
  });

  it('a silent peer that does not outrank this node is never displaced: it could not have been elected', () => {
    const m = new MachineHarness(aMachineConfig({ timeoutMs: 3600, intervalMs: 1000 }));
    m.start();
    m.at(10).step({ kind: 'heartbeat', message: aHeartbeat({ id: MASTER, state: 'INIT', term: 0, priority: 50 }), trusted: true });
    let bind: ReturnType<typeof only<'bind'>> = [];
    for (let i = 0; i < 50 && bind.length === 0; i++) bind = only(m.fire('tick'), 'bind');
    assert.equal(bind.length, 1);
    assert.equal(bind[0]!.plan.displace, undefined);
  });
});

