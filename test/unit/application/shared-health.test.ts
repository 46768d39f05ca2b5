import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthMonitor, SharedHealth } from '../../../src/application/index.js';
import { Ipv4Address } from '../../../src/domain/index.js';
import { aSettings } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeHealthProbe, RecordingLogger, RecordingMetrics } from '../../support/fakes.js';

const check = (name: string, port: number, over: { fatal?: boolean; weight?: number } = {}) => ({
  name,
  target: { kind: 'tcp' as const, host: '127.0.0.1', port },
  intervalMs: 500,
  timeoutMs: 100,
  fall: 1,
  rise: 1,
  weight: over.weight ?? 0,
  fatal: over.fatal ?? false,
});

function setUp() {
  const clock = new FakeClock();
  const probe = new FakeHealthProbe();
  const monitor = new HealthMonitor(clock, probe, new RecordingLogger(), new RecordingMetrics());
  const daemon = { ...aSettings(), checks: [check('web', 80, { fatal: true }), check('db', 5432, { weight: 20 })], witnesses: [Ipv4Address.create('198.18.0.1')] };
  return { clock, probe, shared: new SharedHealth(monitor, daemon), daemon };
}

describe('one health monitor shared by the addresses of a node', () => {
  it('gives each address the checks attached to it', async () => {
    const { clock, probe, shared, daemon } = setUp();
    const web = shared.view();
    const db = shared.view();
    web.start({ ...daemon, checks: [daemon.checks[0]!] }, () => undefined);
    db.start({ ...daemon, checks: [daemon.checks[1]!] }, () => undefined);
    probe.set('127.0.0.1:80', false);
    probe.set('127.0.0.1:5432', false);
    await clock.advance(1000);
    assert.match(web.fatal() ?? '', /check web is failing/);
    assert.equal(web.penalty(), 0);
    assert.equal(db.fatal(), null);
    assert.equal(db.penalty(), 20);
  });

  it('runs while any address does, and counts its witnesses as just heard when it starts again', async () => {
    const { clock, probe, shared, daemon } = setUp();
    const a = shared.view();
    const b = shared.view();
    a.start(daemon, () => undefined);
    b.start(daemon, () => undefined);
    await clock.advance(1000);
    a.stop();
    const runs = probe.checksRun;
    await clock.advance(1000);
    assert.ok(probe.checksRun > runs, 'b still runs the checks');
    b.stop();
    const stopped = probe.checksRun;
    await clock.advance(60_000);
    assert.equal(probe.checksRun, stopped, 'nothing runs once every address stopped');
    probe.witnessesReachable = false;
    a.start(daemon, () => undefined);
    assert.equal(a.witnessOkAt(), clock.now(), 'a fresh start, not a minute of silence');
  });
});
