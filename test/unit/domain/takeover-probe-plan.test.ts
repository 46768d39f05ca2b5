import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EchoTiming, Ipv4Address, Lease, probePlanFor } from '../../../src/domain/index.js';

const T = EchoTiming.create({ intervalMs: 100, timeoutMs: 1000 });
const lease = Lease.grant(Ipv4Address.create('198.18.0.12'), 2, 0, 1000);

describe('the probe plan of a takeover', () => {
  it('a handover, or a silent lease whose pre-expiry probe found the address free, binds without probing', () => {
    assert.equal(probePlanFor({ cause: 'handover', handover: true, preProbedFree: false, lease }, T).skipProbe, true);
    assert.equal(probePlanFor({ cause: 'timeout', handover: false, preProbedFree: true, lease }, T).skipProbe, true);
    assert.equal(probePlanFor({ cause: 'timeout', handover: false, preProbedFree: false, lease }, T).skipProbe, false);
  });

  it('a killed daemon on a live host gets a short probe; a silent master may be displaced, and only it', () => {
    assert.deepEqual(probePlanFor({ cause: 'daemon-gone', handover: false, preProbedFree: false, lease }, T), { skipProbe: false, probeDeadlineMs: 30 });
    assert.deepEqual(probePlanFor({ cause: 'timeout', handover: false, preProbedFree: false, lease }, T), { skipProbe: false, displace: lease.holder });
    assert.deepEqual(probePlanFor({ cause: 'elected', handover: false, preProbedFree: false, lease: null }, T), { skipProbe: false });
  });
});
