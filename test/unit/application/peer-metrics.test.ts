import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ipv4Address } from '../../../src/domain/index.js';
import { aHeartbeat } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-clock.js';
import { SimCluster } from '../../support/cluster.js';

const A = '198.18.0.11';
const B = '198.18.0.12';
const C = '198.18.0.13';

/** What floatip_peer_up reads from the node: each peer in its table, up while alive (timeout 10 s, heartbeat 1 s). */
describe('the peers a node reports to its metrics', () => {
  it('up once heard; down when its host went silent or its daemon is gone', async () => {
    const clock = new FakeClock();
    const cluster = new SimCluster(clock);
    const a = cluster.add(A);
    cluster.add(B);
    cluster.add(C);
    for (const id of [A, B, C]) await cluster.get(id).node.start();
    await clock.advance(5000);
    assert.deepEqual(a.metrics.peers(), [
      { peer: B, up: true },
      { peer: C, up: true },
    ]);
    cluster.network.killDaemon(B, Ipv4Address.create(B));
    await clock.advance(1);
    assert.deepEqual(a.metrics.peers(), [
      { peer: B, up: false },
      { peer: C, up: true },
    ]);
    cluster.network.crashHost(C);
    await clock.advance(15_000);
    assert.deepEqual(a.metrics.peers(), [
      { peer: B, up: false },
      { peer: C, up: false },
    ]);
  });

  it('a forgotten peer is gone from the report, and the report never holds more than the table (64)', async () => {
    const clock = new FakeClock();
    const cluster = new SimCluster(clock);
    const a = cluster.add(A);
    cluster.add(B);
    await a.node.start();
    await cluster.get(B).node.start();
    await clock.advance(5000);
    cluster.network.crashHost(B);
    // silent past the forget horizon (10 timeouts, at least a minute)
    await clock.advance(120_000);
    assert.deepEqual(a.metrics.peers(), [{ peer: B, up: false }]);
    // a full table makes room by forgetting the long-silent: then B is no longer reported
    for (let i = 0; i < 80; i++) a.transport.receive(aHeartbeat({ id: `198.18.1.${i + 1}` }));
    const report = a.metrics.peers();
    assert.equal(report.length, 64);
    assert.ok(!report.some((p) => p.peer === B), 'the forgotten peer is not reported');
    assert.ok(report.every((p) => p.up));
  });
});
