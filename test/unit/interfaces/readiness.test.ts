import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadinessReporter, type StateChange } from '../../../src/application/index.js';
import { FloatipService } from '../../../src/index.js';
import type { NodeState } from '../../../src/domain/index.js';
import { aSettings } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-clock.js';
import { aLoneNodesPorts } from '../../support/fake-overrides.js';
import { RecordingServiceManager } from '../../support/fake-service-manager.js';
import { FakeSegment, RecordingLogger } from '../../support/fakes.js';

const change = (from: NodeState, to: NodeState, reason = 'because'): StateChange => ({ from, to, reason, cause: 'start', at: 0 });

describe('readiness for the service manager (Type=notify)', () => {
  it('is ready when the node leaves INIT, whichever way, and only once; later changes update the status', () => {
    for (const first of ['BACKUP', 'MASTER', 'FAULT'] as const) {
      const manager = new RecordingServiceManager();
      const reporter = new ReadinessReporter(manager, '198.18.0.100');
      reporter.stateChanged(change('STOPPED', 'INIT'));
      manager.assertNothingSent();
      reporter.stateChanged(change('INIT', first, 'elected'));
      reporter.stateChanged(change(first, first === 'MASTER' ? 'BACKUP' : 'MASTER', 'moved'));
      reporter.stateChanged(change('MASTER', 'STOPPING'));
      manager.assertReadyOnceAs(first);
      assert.equal(manager.messages.length, 2, manager.messages.join(' | '));
      assert.match(manager.messages[1]!, /^STATUS (MASTER|BACKUP) for 198\.18\.0\.100: moved$/);
    }
  });

  it('a status is one line of bounded length whatever the reason holds', () => {
    const manager = new RecordingServiceManager();
    new ReadinessReporter(manager, '198.18.0.100').stateChanged(change('INIT', 'BACKUP', `line one\nREADY=1\n${'x'.repeat(500)}`));
    const [only] = manager.messages;
    assert.doesNotMatch(only!, /\n/);
    assert.ok(only!.length <= 'READY '.length + 200, `${only!.length} characters`);
  });

  it('the facade reports ready only once its node was elected, not when start() returns', async () => {
    const clock = new FakeClock();
    const segment = new FakeSegment();
    const manager = new RecordingServiceManager();
    const service = new FloatipService({
      settings: aSettings(),
      preflight: false,
      logger: new RecordingLogger(),
      serviceManager: manager,
      overrides: { ...aLoneNodesPorts(clock, segment) },
    });
    await service.start();
    manager.assertNothingSent(); // still listening for a live master
    await clock.advance(4000);
    assert.equal(service.state, 'MASTER');
    manager.assertReadyOnceAs('MASTER');
    await service.stop();
    assert.equal(manager.messages.length, 1, 'a stop is the daemon\'s to announce, not the facade\'s (a reload stops one node and starts another)');
  });
});

describe('readiness of a node of several addresses', () => {
  it('is ready once every address has left INIT, and the status line sums the addresses up', () => {
    const manager = new RecordingServiceManager();
    const reporter = new ReadinessReporter(manager, ['198.18.0.234', '198.18.0.235']);
    reporter.stateChanged(change('STOPPED', 'INIT'), '198.18.0.234');
    reporter.stateChanged(change('STOPPED', 'INIT'), '198.18.0.235');
    reporter.stateChanged(change('INIT', 'MASTER', 'elected'), '198.18.0.234');
    manager.assertNothingSent();
    reporter.stateChanged(change('INIT', 'BACKUP', 'follows'), '198.18.0.235');
    manager.assertReadyOnceAs('1 MASTER, 1 BACKUP;');
  });

  it('an address removed while it was starting holds start-up back no more', () => {
    const manager = new RecordingServiceManager();
    const reporter = new ReadinessReporter(manager, ['198.18.0.234', '198.18.0.235']);
    reporter.stateChanged(change('INIT', 'MASTER', 'elected'), '198.18.0.234');
    reporter.forget('198.18.0.235');
    manager.assertReadyOnceAs('1 MASTER;');
  });
});
