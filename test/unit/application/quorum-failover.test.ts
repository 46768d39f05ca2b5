import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { Ipv4Address } from '../../../src/domain/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { startAll } from '../../support/cluster.js';
import { QUORUM_KEY, QuorumCluster } from '../../support/quorum-cluster.js';

const A = '198.18.0.11';
const B = '198.18.0.12';
/** heartbeat 100 ms, timeout 1 s; etcd lease TTL 3 s */
const TIMING = { timeoutMs: 1000, intervalMs: 100 };

describe('quorum mode in virtual time (etcd lease TTL 3 s, heartbeat timeout 1 s)', () => {
  let clock: FakeClock;
  let cluster: QuorumCluster;

  beforeEach(() => {
    clock = new FakeClock();
    cluster = new QuorumCluster(clock, TIMING);
  });

  /** Two nodes after a cold start: B (the higher address) holds the address and the key. */
  async function bHolds(): Promise<void> {
    cluster.add(A);
    cluster.add(B);
    await startAll(cluster, A, B);
    await cluster.run(3000);
    assert.deepEqual(cluster.holders(), [B]);
    cluster.etcd.assertKeyHeldBy(QUORUM_KEY, B);
  }

  it('a cold start ends with one holder, the one that holds the key', async () => {
    await bHolds();
    assert.deepEqual(cluster.states(), { [A]: 'BACKUP', [B]: 'MASTER' });
    assert.equal(cluster.mostHolders, 1);
    const master = cluster.get(B).node.status().quorum!;
    assert.equal(master.key, 'ours');
    // renewed every second: the release would start at most TTL·0.99 less the 400 ms lead after the last renewal
    assert.ok(master.fenceInMs! > 1500 && master.fenceInMs! <= 2970 - 400, `fence in ${master.fenceInMs} ms`);
    assert.deepEqual(cluster.get(A).node.status().quorum, { key: 'held', detail: `held by ${B}`, fenceInMs: null });
  });

  // within A's 500 ms listen window: later, A is master alone, and B joins as its backup
  for (const headStartMs of [120, 300, 480]) {
    it(`a better node still starting is waited for: the worse node, up ${headStartMs} ms earlier, does not take the free key`, async () => {
      cluster.add(A);
      cluster.add(B);
      await cluster.get(A).node.start();
      await cluster.run(headStartMs);
      await cluster.get(B).node.start();
      await cluster.run(3000);
      assert.deepEqual(cluster.holders(), [B]);
      cluster.etcd.assertKeyHeldBy(QUORUM_KEY, B);
      cluster.session(A).assertCampaigned(0);
    });
  }

  it('the nodes lose each other but not etcd: the backup sees the key held and never binds', async () => {
    await bHolds();
    cluster.network.partition(A);
    await cluster.run(10_000);
    assert.deepEqual(cluster.holders(), [B]);
    assert.equal(cluster.mostHolders, 1);
    assert.deepEqual(cluster.states(), { [A]: 'BACKUP', [B]: 'MASTER' });
    // the watch told it who holds the key: no request is worth making until that changes
    cluster.session(A).assertCampaigned(0);
    assert.ok(cluster.get(A).logger.has('etcd key of 198.18.0.100: held by 198.18.0.12'));
  });

  it('a backup that reaches neither its peers nor etcd never binds', async () => {
    await bHolds();
    cluster.network.partition(A);
    cluster.etcd.cutOff(A);
    await cluster.run(10_000);
    assert.deepEqual(cluster.holders(), [B]);
    assert.equal(cluster.get(A).node.state, 'BACKUP');
    cluster.session(A).assertCampaigned(0);
  });

  it('the holder loses etcd but not its peers: it releases before its lease can end, and the backup takes over after', async () => {
    await bHolds();
    const cutAt = clock.now();
    cluster.etcd.cutOff(B);
    const took = await cluster.until(() => cluster.holders().join() === A, 8000);
    assert.ok(took > 0, `A holds alone: ${cluster.holders().join()}`);
    assert.equal(cluster.mostHolders, 1, 'never two holders');
    // released before the lease could end (at most TTL after the last renewal, itself at most TTL/3 before the cut)
    assert.ok(cluster.get(B).logger.has('releasing before the etcd lease can end'));
    assert.ok(clock.now() - cutAt <= 3000 + 1000 + 500, `taken over ${clock.now() - cutAt} ms after the cut`);
    cluster.etcd.assertKeyHeldBy(QUORUM_KEY, A);
  });

  it('kill -9 of the holder on a live host: the backup revokes its lease and takes over at once, not after the TTL', async () => {
    await bHolds();
    cluster.session(B).crash();
    cluster.segment.holders.delete(B); // its release guard
    cluster.network.killDaemon(B, Ipv4Address.create(B));
    const took = await cluster.until(() => cluster.holders().join() === A, 3000);
    assert.ok(took >= 0 && took <= 200, `taken over after ${took} ms`);
    assert.deepEqual(cluster.session(A).campaigns.at(-1)?.depose !== undefined, true, 'the dead lease was deposed');
  });

  it('a forged reset and refusal on the echo port of a live master: its lease is not revoked, and it keeps the address', async () => {
    await bHolds();
    // someone on the path resets A's link to B and its redial (or a firewall REJECTs the echo port); B's daemon
    // is alive and its heartbeats keep coming
    cluster.get(A).transport.lose(Ipv4Address.create(B));
    await cluster.run(5000);
    assert.deepEqual(cluster.holders(), [B]);
    assert.equal(cluster.mostHolders, 1);
    cluster.etcd.assertKeyHeldBy(QUORUM_KEY, B);
    assert.ok(cluster.session(A).campaigns.every((c) => c.depose === undefined), JSON.stringify(cluster.session(A).campaigns));
  });

  it('a host crash waits for the lease to end at etcd: never two holders, taken over within TTL and a heartbeat', async () => {
    await bHolds();
    cluster.session(B).crash();
    cluster.network.crashHost(B);
    const took = await cluster.until(() => cluster.holders().join() === A, 6000);
    assert.ok(took >= 1000 && took <= 3000 + 200, `taken over after ${took} ms`);
    assert.equal(cluster.mostHolders, 1);
  });

  it('a graceful stop releases, gives the key back and revokes the lease: the next node binds at once', async () => {
    await bHolds();
    await cluster.get(B).node.stop();
    const took = await cluster.until(() => cluster.holders().join() === A, 2000);
    assert.ok(took >= 0 && took <= 100, `taken over after ${took} ms`);
    assert.equal(cluster.mostHolders, 1);
    assert.deepEqual(cluster.session(B).resigns, [QUORUM_KEY]);
    // the key was gone before the goodbye: no lease is revoked on a goodbye (it holds the node's other keys too)
    assert.ok(cluster.session(A).campaigns.every((c) => c.depose === undefined), JSON.stringify(cluster.session(A).campaigns));
  });

  it('a stop whose release fails keeps the key and the lease: no peer may bind beside an address still bound', async () => {
    await bHolds();
    cluster.get(B).table.failUnbind = new Error('ifconfig: broken');
    await cluster.get(B).node.stop();
    await cluster.run(2000);
    cluster.etcd.assertKeyHeldBy(QUORUM_KEY, B);
    assert.deepEqual(cluster.holders(), [B]);
    assert.deepEqual(cluster.session(B).resigns, []);
  });

  it('all of etcd gone (on_quorum_loss: release): the holder releases, no one binds until etcd is back', async () => {
    await bHolds();
    cluster.etcd.setDown(true);
    await cluster.run(5000);
    assert.deepEqual(cluster.holders(), []);
    cluster.etcd.setDown(false);
    await cluster.run(6000);
    assert.equal(cluster.holders().length, 1);
    assert.equal(cluster.mostHolders, 1);
  });

  it('all of etcd gone (on_quorum_loss: keep): the holder keeps the address, and claims the key back once etcd answers', async () => {
    cluster = new QuorumCluster(clock, TIMING, { onLoss: 'keep' });
    await bHolds();
    cluster.etcd.setDown(true);
    await cluster.run(10_000);
    assert.deepEqual(cluster.holders(), [B]);
    cluster.etcd.setDown(false);
    await cluster.run(5000);
    assert.deepEqual(cluster.holders(), [B]);
    cluster.etcd.assertKeyHeldBy(QUORUM_KEY, B);
  });

  // A daemon that stands still cannot run its fence; its guard, a process of its own, keeps a deadline for it
  it("the holder's release guard is given a deadline after the fence and before the lease can end; each renewal moves it", async () => {
    await bHolds();
    const b = cluster.get(B);
    b.guard.assertArmed();
    const first = b.guard.deadlineAt!;
    const fenceAt = clock.now() + b.node.status().quorum!.fenceInMs!;
    // the fence's lead is at least 400 ms, the guard's 100: the daemon, while its timers fire, always goes first
    assert.equal(first - fenceAt, 300, 'the guard acts 300 ms after the fence (leads of 400 and 100 ms)');
    await cluster.run(2000);
    assert.ok(b.guard.deadlineAt! >= first + 1000, `moved by the renewals: ${b.guard.deadlineAt! - first} ms`);
    assert.equal(b.guard.deadlineAt! - (clock.now() + b.node.status().quorum!.fenceInMs!), 300);
    assert.equal(cluster.get(A).guard.deadlineAt, null, 'a backup holds no key, and its guard no deadline');
  });

  it('the holder cut from etcd releases at its fence, before its guard would: the release disarms the guard and its deadline', async () => {
    await bHolds();
    const b = cluster.get(B);
    const guardAt = b.guard.deadlineAt!;
    cluster.etcd.cutOff(B);
    await cluster.run(guardAt - clock.now() - 1);
    assert.ok(!cluster.holders().includes(B), 'released by the daemon before the guard deadline');
    b.guard.assertDisarmed();
    b.guard.assertDeadlineAt(null);
  });

  it('a guard that fired while the daemon stood still, its lease renewed meanwhile: the master gives way and gives the key back, and one node binds again', async () => {
    await bHolds();
    const b = cluster.get(B);
    // what the real guard does at its deadline: the address goes, and the guard tells the daemon once it runs again
    await b.table.unbind(b.settings.address);
    b.guard.fire(b.settings.address);
    await cluster.run(5000);
    assert.ok(b.logger.has('the release guard removed the address at its deadline'), b.logger.lines.join('\n'));
    assert.equal(cluster.holders().length, 1, `holders: ${cluster.holders().join()}`);
    cluster.etcd.assertKeyHeldBy(QUORUM_KEY, cluster.holders()[0]!);
    assert.equal(cluster.mostHolders, 1);
  });

  it('the deadline is given again just before every bind, after a disarm ended it', async () => {
    await bHolds();
    const b = cluster.get(B);
    await b.node.stop();
    await cluster.run(3000);
    assert.deepEqual(cluster.holders(), [A]);
    const a = cluster.get(A);
    a.guard.assertArmed();
    assert.ok(a.guard.deadlineAt! > clock.now(), 'the new holder armed its guard with a deadline ahead');
  });

  it('on_quorum_loss: keep gives the guard no deadline: a master holds past its lease on purpose', async () => {
    cluster = new QuorumCluster(clock, TIMING, { onLoss: 'keep' });
    await bHolds();
    cluster.get(B).guard.assertArmed();
    cluster.get(B).guard.assertDeadlineAt(null);
  });

  it('a master without the key gives way to nobody: the key holder reasserts', async () => {
    await bHolds();
    // A says it is master in a newer term (forged, or a node run in keep mode): B holds the key and keeps the address
    cluster.get(B).node.onHeartbeat(
      { id: Ipv4Address.create(A), vip: Ipv4Address.create('198.18.0.100'), priority: 100, state: 'MASTER', term: 99, preempt: false, seq: 1_000_000 },
      { via: 'tcp', signed: false },
    );
    await cluster.run(500);
    assert.deepEqual(cluster.holders(), [B]);
    assert.ok(cluster.get(B).logger.has('but this node holds the etcd key'));
  });
});
