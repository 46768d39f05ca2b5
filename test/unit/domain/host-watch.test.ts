import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aHeartbeat } from '../../support/builders.js';
import { MachineHarness, aMachineConfig, kinds, only } from '../../support/machine-harness.js';

const MASTER = '198.18.0.12';
const HOST_TIMEOUT = 150;

/** A backup of MASTER (timeout 3600 ms, heartbeat 1000 ms, host timeout 150 ms unless off) that heard it at t=100. */
function aWatchingBackup(hostTimeoutMs: number | undefined = HOST_TIMEOUT): MachineHarness {
  const m = new MachineHarness(aMachineConfig({ timeoutMs: 3600, intervalMs: 1000, ...(hostTimeoutMs ? { hostTimeoutMs } : {}) }));
  m.start();
  m.at(100).step({ kind: 'heartbeat', message: aHeartbeat({ id: MASTER, state: 'MASTER', term: 1, priority: 150 }), trusted: true });
  m.step({ kind: 'released', purpose: { kind: 'become-backup', reason: 'master alive', cause: 'master-alive' }, removed: false });
  assert.equal(m.state.role, 'BACKUP');
  return m;
}

/** Steps the host deadline over and over while the host answers every `everyMs`, until `until`; returns the binds seen. */
function answerUntil(m: MachineHarness, until: number, everyMs = 18): number {
  let binds = 0;
  for (let due = m.dueAt('host'); due !== undefined && due <= until; due = m.dueAt('host')) {
    m.hostAnsweredAt = due - (due % everyMs);
    binds += only(m.fire('host'), 'bind').length;
  }
  return binds;
}

describe('echo.host_timeout_in_ms: a backup probes its master\'s host', () => {
  it('off by default: nothing is watched', () => {
    const m = aWatchingBackup(0);
    const effects = [...m.fire('tick'), ...m.fire('expiry')];
    assert.deepEqual(only(effects, 'watch-host'), []);
    assert.equal(m.dueAt('host'), undefined);
  });

  it('a backup that follows a master watches its host, several probes per host timeout', () => {
    const m = new MachineHarness(aMachineConfig({ timeoutMs: 3600, intervalMs: 1000, hostTimeoutMs: HOST_TIMEOUT }));
    m.start();
    const heard = m.at(100).step({ kind: 'heartbeat', message: aHeartbeat({ id: MASTER, state: 'MASTER', term: 1 }), trusted: true });
    assert.deepEqual(only(heard, 'watch-host'), [], 'not while INIT');
    const became = m.step({ kind: 'released', purpose: { kind: 'become-backup', reason: 'master alive', cause: 'master-alive' }, removed: false });
    const [watch] = only(became, 'watch-host');
    assert.equal(watch?.host?.toString(), MASTER);
    assert.equal(watch?.intervalMs, 18);
    assert.equal(m.dueAt('host'), 100 + HOST_TIMEOUT);
  });

  it('a host that answers keeps the whole timeout: no takeover before the lease runs out, and then the stalled host is displaced', () => {
    const m = aWatchingBackup();
    assert.equal(answerUntil(m, 3000), 0, 'no bind while the host answers');
    m.fire('tick');
    let effects = m.fire('expiry');
    while (only(effects, 'bind').length === 0) effects = m.fire('expiry');
    assert.equal(m.now, 100 + 3600, 'the full timeout');
    assert.equal(only(effects, 'bind')[0]!.plan.displace?.toString(), MASTER);
  });

  it('a host silent for the host timeout, with no heartbeat either, is down: a quick probe and a bind, at once', () => {
    const m = aWatchingBackup();
    answerUntil(m, 1000);
    const lastAnswer = m.hostAnsweredAt!;
    let effects = m.fire('host');
    while (only(effects, 'bind').length === 0) effects = m.fire('host');
    assert.ok(m.now >= lastAnswer + HOST_TIMEOUT && m.now <= lastAnswer + HOST_TIMEOUT + 18, `taken at ${m.now}, last answer ${lastAnswer}`);
    const [bind] = only(effects, 'bind');
    assert.equal(bind!.plan.probeDeadlineMs, 30, 'the quick probe: a host that still holds the address answers ARP at once');
    assert.equal(bind!.plan.displace, undefined, 'a host that answers ARP for it after all keeps it');
    assert.deepEqual(only(effects, 'watch-host').map((w) => w.host), [null], 'the watch ends with the master');
    const done = m.step({ kind: 'bind-done', result: { kind: 'bound', alreadyBound: false } });
    assert.equal(only(done, 'transition')[0]?.change.cause, 'host-silent');
    assert.match(only(done, 'transition')[0]!.change.reason, /198\.18\.0\.12's host answered nothing for 150 ms/);
  });

  it('a heartbeat counts as an answer of its host', () => {
    const m = aWatchingBackup();
    answerUntil(m, 500);
    m.hostAnsweredAt = 400;
    m.at(540).step({ kind: 'heartbeat', message: aHeartbeat({ id: MASTER, state: 'MASTER', term: 1, priority: 150 }), trusted: true });
    const effects = m.fire('host');
    assert.deepEqual(only(effects, 'bind'), []);
    assert.equal(m.dueAt('host'), 540 + HOST_TIMEOUT, 'timed from the heartbeat');
  });

  it('a probe that never answered (ICMP filtered, no ping) says nothing: the timeout applies', () => {
    const m = aWatchingBackup();
    m.hostAnsweredAt = null;
    for (let i = 0; i < 10; i++) assert.deepEqual(only(m.fire('host'), 'bind'), []);
    assert.equal(m.state.role, 'BACKUP');
  });

  it('a deadline that comes late (this daemon stalled) reads the answers waiting for it before it judges', () => {
    const m = aWatchingBackup();
    answerUntil(m, 600);
    const due = m.dueAt('host')!;
    const late = m.at(due + 200).step({ kind: 'timer', name: 'host' });
    assert.deepEqual(only(late, 'bind'), [], 'not on a stale view');
    assert.equal(m.dueAt('host'), due + 200 + 18, 'looked at again one probe later');
    m.hostAnsweredAt = due + 210;
    assert.deepEqual(only(m.fire('host'), 'bind'), [], 'the host had answered all along');
  });

  it('the master coming back after its host fell silent is followed again, and watched again', () => {
    const m = aWatchingBackup();
    answerUntil(m, 300);
    let effects = m.fire('host');
    while (only(effects, 'bind').length === 0) effects = m.fire('host');
    m.step({ kind: 'bind-done', result: { kind: 'conflict', evidence: 'answered from mac-of-master' } });
    assert.equal(m.state.role, 'BACKUP');
    const back = m.at(m.now + 50).step({ kind: 'heartbeat', message: aHeartbeat({ id: MASTER, state: 'MASTER', term: 1, priority: 150 }), trusted: true });
    assert.equal(m.state.role, 'BACKUP');
    assert.equal(only(back, 'watch-host')[0]?.host?.toString(), MASTER, `watched again among ${kinds(back).join(', ')}`);
  });

  it('a host wrongly judged silent that still answers ARP for the address is displaced at the full timeout all the same', () => {
    const m = aWatchingBackup();
    answerUntil(m, 300);
    // the pings were lost, not the host: the quick probe finds the master still holding the address
    let effects = m.fire('host');
    while (only(effects, 'bind').length === 0) effects = m.fire('host');
    const refuted = m.step({ kind: 'bind-done', result: { kind: 'conflict', evidence: 'answered from mac-of-master' } });
    assert.equal(m.state.role, 'BACKUP');
    assert.match(only(refuted, 'log').map((l) => l.log.line).join('\n'), /host still answers for the address .*: it is up, its daemon stalled/);
    // its daemon stays stalled: no heartbeat, while the host answers pings again
    let bind: ReturnType<typeof only<'bind'>>[number] | undefined;
    while (!bind && m.now < 100 + 3600 + 2000) {
      const timers = (['tick', 'expiry', 'host'] as const).filter((n) => m.dueAt(n) !== undefined);
      const next = timers.sort((x, y) => m.dueAt(x)! - m.dueAt(y)!)[0]!;
      m.hostAnsweredAt = m.dueAt(next)!;
      bind = only(m.fire(next), 'bind')[0];
      assert.ok(!bind || bind.plan.displace, `judged silent again at ${m.now}, though it answered for the address`);
    }
    assert.ok(bind, `never displaced the stalled host; role ${m.state.role} at ${m.now}`);
    assert.equal(bind.plan.displace?.toString(), MASTER);
    assert.equal(m.now, 100 + 3600, 'when its lease would have run out');
  });

  it('a stop ends the watch', () => {
    const m = aWatchingBackup();
    const effects = m.at(200).step({ kind: 'stop', reason: 'test' });
    assert.deepEqual(only(effects, 'watch-host').map((w) => w.host), [null]);
  });
});
