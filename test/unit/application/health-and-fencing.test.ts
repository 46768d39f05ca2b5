import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { CheckSettings, NodeSettings } from '../../../src/application/index.js';
import { Ipv4Address, Priority } from '../../../src/domain/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { SimCluster } from '../../support/cluster.js';

const A = '198.18.0.11';
const B = '198.18.0.12';
const ROUTER = Ipv4Address.create('198.18.0.1');

const check = (over: Partial<CheckSettings> = {}): CheckSettings => ({
  name: 'gateway',
  target: { kind: 'tcp', host: '127.0.0.1', port: 8000 },
  intervalMs: 1000,
  timeoutMs: 500,
  fall: 2,
  rise: 2,
  weight: 0,
  fatal: true,
  ...over,
});
const withChecks = (...checks: CheckSettings[]) => (s: NodeSettings): NodeSettings => ({ ...s, checks });
const withWitness = (s: NodeSettings): NodeSettings => ({ ...s, witnesses: [ROUTER] });

describe('health checks, FAULT and self-fencing in virtual time', () => {
  let clock: FakeClock;
  let cluster: SimCluster;
  beforeEach(() => {
    clock = new FakeClock();
    cluster = new SimCluster(clock);
  });

  it('a failing fatal check puts the master in FAULT: it releases, the backup takes over at once; after rise it is a backup again', async () => {
    const a = cluster.add(B, {}, withChecks(check()));
    const b = cluster.add(A);
    await a.node.start();
    await b.node.start();
    await clock.advance(5000);
    assert.deepEqual(cluster.holders(), [B]);
    a.health.set('127.0.0.1:8000', false, 'ECONNREFUSED');
    await clock.advance(1000);
    assert.deepEqual(cluster.holders(), [B], 'one failure is not enough (fall 2)');
    await clock.advance(1100);
    assert.equal(a.node.state, 'FAULT');
    assert.deepEqual(cluster.holders(), [A]);
    assert.ok(b.logger.has('handed over: it is FAULT and released the address'));
    assert.ok(a.logger.has('MASTER -> FAULT: check gateway is failing: ECONNREFUSED; released the address'));
    await clock.advance(10_000);
    assert.deepEqual(cluster.holders(), [A], 'a FAULT node never takes the address');
    a.health.set('127.0.0.1:8000', true);
    await clock.advance(2100);
    assert.equal(a.node.state, 'BACKUP');
    assert.deepEqual(cluster.holders(), [A], 'no preemption: the address stays');
    assert.deepEqual(a.notifier.events.map((e) => e.state), ['MASTER', 'FAULT', 'BACKUP']);
    assert.ok(a.metrics.transitions.includes('MASTER->FAULT:fault'));
  });

  it('with preemption the healthy, higher node takes the address back after rise', async () => {
    const a = cluster.add(A, { priority: 200, preempt: true }, withChecks(check()));
    cluster.add(B);
    await a.node.start();
    await cluster.get(B).node.start();
    await clock.advance(5000);
    a.health.set('127.0.0.1:8000', false);
    await clock.advance(3000);
    assert.deepEqual(cluster.holders(), [B]);
    a.health.set('127.0.0.1:8000', true);
    await clock.advance(8000);
    assert.deepEqual(cluster.holders(), [A]);
  });

  it('a failing weighted check lowers the effective priority the peers see', async () => {
    const a = cluster.add(A, { priority: 150 }, withChecks(check({ fatal: false, weight: 100 })));
    const b = cluster.add(B, { preempt: true });
    await a.node.start();
    await b.node.start();
    await clock.advance(5000);
    assert.deepEqual(cluster.holders(), [A]);
    a.health.set('127.0.0.1:8000', false);
    await clock.advance(8000);
    assert.equal(a.node.effectivePriority, 50);
    assert.deepEqual(cluster.holders(), [B], 'B outranks the degraded master and preempts');
  });

  it('an isolated master (no witness, no peer) releases and goes FAULT; after healing there is one holder', async () => {
    const a = cluster.add(B, {}, withWitness);
    const b = cluster.add(A, {}, withWitness);
    await a.node.start();
    await b.node.start();
    await clock.advance(5000);
    assert.deepEqual(cluster.holders(), [B]);
    cluster.network.partition(B);
    a.health.witnessesReachable = false;
    // the backup's next heartbeat was due within a timeout; an interval later the master knows it is cut off
    await clock.advance(12_000);
    assert.equal(a.node.state, 'FAULT');
    assert.ok(a.logger.has('isolated: no witness (198.18.0.1) and no peer answered'));
    assert.deepEqual(cluster.holders(), [A], 'the isolated master released; the connected side took over');
    cluster.network.heal(B);
    a.health.witnessesReachable = true;
    for (let i = 0; i < 20; i++) {
      await clock.advance(500);
      assert.ok(cluster.holders().length <= 1, `two holders at step ${i}: ${cluster.holders().join(', ')}`);
    }
    assert.equal(a.node.state, 'BACKUP');
    assert.deepEqual(cluster.holders(), [A]);
  });

  it('a node that reaches its witness keeps the address even with no peer', async () => {
    const a = cluster.add(A, {}, withWitness);
    await a.node.start();
    await clock.advance(30_000);
    assert.deepEqual(cluster.holders(), [A]);
  });

  it('reconfigure changes priority and timers without touching the address', async () => {
    const a = cluster.add(A);
    await a.node.start();
    await clock.advance(5000);
    const calls = a.table.calls.length;
    a.node.reconfigure({ ...a.settings, priority: Priority.create(42) });
    await clock.advance(2000);
    assert.equal(a.node.status().priority, 42);
    assert.equal(a.transport.sent.at(-1)?.priority, 42);
    assert.equal(a.table.calls.length, calls);
    assert.equal(a.node.state, 'MASTER');
  });
});
