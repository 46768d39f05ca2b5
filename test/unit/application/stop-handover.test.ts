import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { FakeClock } from '../../support/fake-clock.js';
import { SimCluster } from '../../support/cluster.js';

const A = '198.18.0.11';
const B = '198.18.0.12';
const HANDED = 'handed the address over to the peers';
const NOBODY = 'released the address with no peer to take it over';

/** What a stopping master says it did with the address: a handover needs someone to take it. */
describe('a stopping master says whom it left the address to (timeout 10 s, heartbeat 1 s)', () => {
  let clock: FakeClock;
  let cluster: SimCluster;

  beforeEach(() => {
    clock = new FakeClock();
    cluster = new SimCluster(clock);
  });

  it('with a live backup: handed over, and the backup takes the address', async () => {
    cluster.add(A);
    cluster.add(B);
    await cluster.get(A).node.start();
    await cluster.get(B).node.start();
    await clock.advance(5000);
    await cluster.get(B).node.stop('SIGTERM received');
    await clock.advance(1);
    assert.deepEqual(cluster.holders(), [A]);
    assert.ok(cluster.get(B).logger.has(`MASTER -> STOPPED: SIGTERM received; ${HANDED}`));
  });

  it('alone: released with no peer to take it, never "handed over"', async () => {
    const a = cluster.add(A);
    await a.node.start();
    await clock.advance(5000);
    assert.equal(a.node.state, 'MASTER');
    await a.node.stop('SIGTERM received');
    assert.deepEqual(cluster.holders(), []);
    assert.ok(!a.logger.has(HANDED), a.logger.lines.join('\n'));
    assert.ok(a.logger.has(`MASTER -> STOPPED: SIGTERM received; ${NOBODY}`), a.logger.lines.join('\n'));
  });

  it('whose only backup missed its last heartbeat (due once per timeout): no peer to take it', async () => {
    cluster.add(A);
    const b = cluster.add(B);
    await cluster.get(A).node.start();
    await b.node.start();
    await clock.advance(5000);
    cluster.network.crashHost(A);
    // past its heartbeat due (a timeout and an interval), though within the 2.5 timeouts a backup counts as alive
    await clock.advance(15_000);
    assert.equal(b.node.state, 'MASTER');
    await b.node.stop('SIGTERM received');
    assert.ok(!b.logger.has(HANDED), b.logger.lines.join('\n'));
    assert.ok(b.logger.has(NOBODY));
  });

  it('whose only peer is in FAULT (it will not take the address): no peer to take it', async () => {
    const a = cluster.add(A, {}, (s) => ({ ...s, checks: [{ name: 'gw', target: { kind: 'tcp', host: '127.0.0.1', port: 9 }, intervalMs: 1000, timeoutMs: 500, fall: 1, rise: 1, fatal: true, weight: 0 }] }));
    const b = cluster.add(B);
    await a.node.start();
    await b.node.start();
    await clock.advance(5000);
    a.health.set('127.0.0.1:9', false);
    await clock.advance(3000);
    assert.equal(a.node.state, 'FAULT');
    await b.node.stop('SIGTERM received');
    assert.ok(!b.logger.has(HANDED), b.logger.lines.join('\n'));
    assert.ok(b.logger.has(NOBODY));
  });

  it('whose goodbye could not be sent: not "handed over"; the backup takes over at the timeout', async () => {
    const a = cluster.add(A);
    const b = cluster.add(B);
    await cluster.get(A).node.start();
    await b.node.start();
    await clock.advance(5000);
    b.transport.failSends = new Error('network is unreachable');
    await b.node.stop('SIGTERM received');
    assert.ok(!b.logger.has(HANDED), b.logger.lines.join('\n'));
    assert.ok(b.logger.has('could not tell the peers'), b.logger.lines.join('\n'));
    await clock.advance(1000);
    assert.equal(a.node.state, 'BACKUP');
    await clock.advance(10_000);
    assert.equal(a.node.state, 'MASTER');
  });
});
