import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ipv4Address, Lease } from '../../../src/domain/index.js';

const MASTER = Ipv4Address.create('198.18.0.12');

describe('Lease: when a backup wakes for it', () => {
  it('wakes the probe lead before expiry, once per expiry time, then at expiry', () => {
    const lease = Lease.grant(MASTER, 3, 0, 1000);
    assert.deepEqual(lease.wakePlan(0, 200, null), { delayMs: 800, probing: true });
    assert.deepEqual(lease.wakePlan(800, 200, 1000), { delayMs: 200, probing: false }, 'this expiry was probed already');
    lease.renew(500);
    assert.deepEqual(lease.wakePlan(800, 200, 1000), { delayMs: 500, probing: true }, 'a renewed lease is probed again');
  });

  it('a lease with less than the lead left runs out unprobed; one past its end wakes at once', () => {
    const lease = Lease.grant(MASTER, 3, 0, 1000);
    assert.deepEqual(lease.wakePlan(850, 200, null), { delayMs: 150, probing: false });
    assert.deepEqual(lease.wakePlan(1200, 200, null), { delayMs: 0, probing: false });
  });

  it('is due for the probe only when not renewed since the wake-up was set, and not yet expired', () => {
    const lease = Lease.grant(MASTER, 3, 0, 1000);
    assert.equal(lease.dueForProbe(800, 200, 50), true);
    assert.equal(lease.dueForProbe(700, 200, 50), false, 'more than lead + margin left');
    lease.renew(790);
    assert.equal(lease.dueForProbe(800, 200, 50), false, 'renewed meanwhile');
    assert.equal(lease.dueForProbe(1790, 200, 50), false, 'expired: the election, not the probe');
  });
});
