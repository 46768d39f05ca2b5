import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FloatipService, METRICS_PORT } from '../../../src/index.js';
import { PrometheusMetrics } from '../../../src/infrastructure/index.js';
import { aSettings } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-clock.js';
import { aLoneNodesPorts } from '../../support/fake-overrides.js';
import { FakeSegment, RecordingLogger } from '../../support/fakes.js';

describe('the reload result in the metrics (what SIGHUP feeds)', () => {
  it('an applied reload is 1 with its time; a refused one is 0 and keeps the time of the last good one', async () => {
    let now = 1_700_000_000_000;
    const metrics = new PrometheusMetrics({ now: () => now });
    const segment = new FakeSegment();
    const service = new FloatipService({
      settings: aSettings(),
      preflight: false,
      logger: new RecordingLogger(),
      overrides: { ...aLoneNodesPorts(new FakeClock(), segment), [METRICS_PORT]: metrics },
    });
    const read = async (): Promise<string> => (await metrics.registry.metrics()).split('\n').filter((l) => l.startsWith('floatip_config_last_reload')).join('\n');
    now += 5000;
    service.reloadFailed();
    assert.equal(await read(), 'floatip_config_last_reload_successful 0\nfloatip_config_last_reload_success_timestamp_seconds 1700000000');
    now += 5000;
    service.reconfigure(aSettings({ priority: 120 }));
    assert.equal(await read(), 'floatip_config_last_reload_successful 1\nfloatip_config_last_reload_success_timestamp_seconds 1700000010');
  });
});
