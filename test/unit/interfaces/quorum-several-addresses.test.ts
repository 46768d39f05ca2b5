import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QUORUM_PORT, type NodeSettings } from '../../../src/application/index.js';
import { aMultiSettings, aUnit } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeQuorumStore } from '../../support/fake-quorum.js';
import { MultiCluster } from '../../support/multi-cluster.js';

const A = '198.18.0.11';
const B = '198.18.0.12';
const V4A = '198.18.0.234';
const V4B = '198.18.0.235';
const TIMING = { timeoutMs: 3000, intervalMs: 1000 };

const inQuorumMode = (s: NodeSettings): NodeSettings => ({
  ...s,
  quorum: {
    etcd: { endpoints: ['http://198.19.0.11:2379'], caFile: null, certFile: null, keyFile: null, username: null, password: null },
    leaseTtlMs: 3000,
    keyPrefix: '/floatip',
    onLoss: 'release',
  },
});

/** Two nodes in quorum mode, A preferring both addresses: one etcd lease per node holds A's two keys. */
async function aHoldsBoth(): Promise<{ c: MultiCluster; store: FakeQuorumStore }> {
  const clock = new FakeClock();
  const c = new MultiCluster(clock, TIMING);
  const store = new FakeQuorumStore(clock, 3000);
  c.add(A, [aUnit(V4A, 150), aUnit(V4B, 150)], inQuorumMode, { [QUORUM_PORT]: store.client(A) });
  c.add(B, [aUnit(V4A, 50), aUnit(V4B, 50)], inQuorumMode, { [QUORUM_PORT]: store.client(B) });
  await c.get(A).service.start();
  await c.get(B).service.start();
  await clock.advance(8000);
  c.segments.assertHeld({ [V4A]: A, [V4B]: A });
  store.assertKeyHeldBy(`/floatip/${V4A}`, A);
  store.assertKeyHeldBy(`/floatip/${V4B}`, A);
  return { c, store };
}

describe('quorum mode with several addresses: one lease per node, one key per address', () => {
  it('a reload that removes one address hands it over, and the node keeps the other and its key', async () => {
    const { c, store } = await aHoldsBoth();
    const a = c.get(A);
    const reloading = a.service.reconfigure(inQuorumMode(aMultiSettings(A, [aUnit(V4A, 150)], TIMING)));
    for (let t = 0; t < 3000; t += 10) {
      await c.clock.advance(10);
      // never both nodes on one address
      for (const [ip, holders] of Object.entries(c.segments.holders())) assert.ok(holders.length <= 1, `${ip} held by ${holders.join(' and ')}`);
    }
    await reloading;
    await c.clock.advance(5000);
    c.segments.assertHeld({ [V4A]: A, [V4B]: B });
    store.assertKeyHeldBy(`/floatip/${V4A}`, A);
    store.assertKeyHeldBy(`/floatip/${V4B}`, B);
    // the key went before the goodbye: nobody revoked A's lease, which still holds V4A's key
    assert.deepEqual(a.service.states(), { [V4A]: 'MASTER' });
  });

  it('a graceful stop moves both addresses at once, each with its own key', async () => {
    const { c, store } = await aHoldsBoth();
    await c.stop(A);
    await c.clock.advance(500);
    c.segments.assertHeld({ [V4A]: B, [V4B]: B });
    store.assertKeyHeldBy(`/floatip/${V4A}`, B);
    store.assertKeyHeldBy(`/floatip/${V4B}`, B);
  });
});
