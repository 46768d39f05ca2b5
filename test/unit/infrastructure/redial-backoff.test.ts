import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ipv4Address } from '../../../src/domain/index.js';
import { PeerSourceFilter } from '../../../src/infrastructure/network/peer-source.filter.js';
import { healthyLinkMs, redialDelayMs } from '../../../src/infrastructure/network/redial-backoff.js';
import { aSettings } from '../../support/builders.js';

describe('redial backoff', () => {
  it('doubles from one interval (at least 200 ms) up to 5 s', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 50].map((f) => redialDelayMs(f, 100)), [200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    assert.deepEqual([1, 2, 3, 4].map((f) => redialDelayMs(f, 1000)), [1000, 2000, 4000, 5000]);
  });

  it('a link is healthy once it outlived the peer idle limit: three intervals, at least a second', () => {
    assert.equal(healthyLinkMs({ intervalMs: 100, timeoutMs: 1000 }), 1000);
    assert.equal(healthyLinkMs({ intervalMs: 1000, timeoutMs: 10_000 }), 3000);
  });
});

describe('peer source filter', () => {
  const filter = new PeerSourceFilter({ ...aSettings({ id: '198.18.0.11' }), peers: [Ipv4Address.create('10.1.2.3')] });

  it("takes local_ip's subnet and the configured peers, nothing else", () => {
    assert.equal(filter.allows('198.18.0.12'), true);
    assert.equal(filter.allows('10.1.2.3'), true);
    assert.equal(filter.allows('198.18.1.12'), false);
    assert.equal(filter.allows('10.1.2.4'), false);
    assert.equal(filter.allows('::1'), false);
  });
});
