import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RANGE, TTL_MS, aRig, clock, follow, until, wonAndFollowed } from '../../support/etcd-rig.js';
import { FakeEtcdGateway } from '../../support/fake-etcd-gateway.js';
import { wait } from '../../support/real-time.js';

const TXN = '/v3/kv/txn';

// An etcd cluster built anew (not restored from a snapshot) has a new cluster_id, counts its revisions from 1
// again and knows none of the old leases or keys. A node that held a key may keep its address until its old lease
// would have ended, so nobody campaigns for a TTL; and the old revisions must not make the new store's answers
// look stale forever.
describe('EtcdQuorum when the etcd cluster is built anew', { concurrency: true, timeout: 20_000 }, () => {
  it('the held key reads unreachable for a TTL with no campaign, then free, and is won again under a new lease', async (t) => {
    const { gw, q, log } = await aRig(t);
    await q.start();
    for (let i = 0; i < 50; i++) gw.put('/elsewhere', String(i)); // the old store's revisions are far ahead
    const f = await wonAndFollowed(q, '/floatip/a');
    const oldLease = gw.get('/floatip/a')!.lease;
    const rebuiltAt = clock.now();
    gw.rebuild();
    await until('the key to read unreachable', () => f.last()?.kind === 'unreachable', TTL_MS);
    assert.ok(log.has('was replaced by'), log.lines.join('\n'));
    const txns = gw.count(TXN);
    const meanwhile = await q.campaign('/floatip/a');
    assert.equal(meanwhile.kind, 'unreachable');
    assert.match(meanwhile.kind === 'unreachable' ? meanwhile.why : '', /the etcd store was built anew/);
    assert.equal(gw.count(TXN), txns, 'no campaign reached the new store within the TTL');
    await until('the key to read free', () => f.last()?.kind === 'free', TTL_MS * 3);
    assert.ok(clock.now() - rebuiltAt >= TTL_MS, `free ${clock.now() - rebuiltAt} ms after the rebuild`);
    assert.equal((await q.campaign('/floatip/a')).kind, 'ours');
    await until('the follower to say ours', () => f.last()?.kind === 'ours');
    assert.notEqual(gw.get('/floatip/a')!.lease, oldLease);
  });

  it("another node's key in the new store, at revisions below the old ones, is heard", async (t) => {
    const { gw, q } = await aRig(t);
    await q.start();
    for (let i = 0; i < 50; i++) gw.put('/elsewhere', String(i));
    const f = follow(q, '/floatip/b');
    await until('the key to read free', () => f.last()?.kind === 'free');
    gw.rebuild();
    await until('the key to read unreachable', () => f.last()?.kind === 'unreachable', TTL_MS);
    const other = gw.grantLease();
    gw.put('/floatip/b', '198.18.0.12', other);
    await until('the key to read held by the other node', () => f.last()?.kind === 'held', TTL_MS * 3);
    assert.deepEqual(f.last(), { kind: 'held', holder: '198.18.0.12', lease: other });
    gw.put('/floatip/b', '198.18.0.13', other);
    await until('the next change to be heard', () => JSON.stringify(f.last()).includes('198.18.0.13'), TTL_MS);
  });

  it('the same members formed again on wiped data (the same cluster_id): a read at a lower revision tells it', async (t) => {
    const { gw, q, log } = await aRig(t);
    await q.start();
    for (let i = 0; i < 50; i++) gw.put('/elsewhere', String(i));
    const f = await wonAndFollowed(q, '/floatip/d');
    const cluster = gw.clusterId;
    gw.rebuild(true);
    assert.equal(gw.clusterId, cluster);
    await until('the key to read unreachable', () => f.last()?.kind === 'unreachable', TTL_MS);
    assert.ok(log.has('its data was wiped'), log.lines.join('\n'));
    await until('the key to read free', () => f.last()?.kind === 'free', TTL_MS * 3);
    assert.equal((await q.campaign('/floatip/d')).kind, 'ours');
    await until('the follower to say ours', () => f.last()?.kind === 'ours');
  });

  it('answers to requests in flight together, served in one order and come in another, are not taken for a wipe', async (t) => {
    const { gw, q, log } = await aRig(t);
    await q.start();
    // every read is served at once but answered 300 ms later: a campaign meanwhile is answered first, at a higher revision
    gw.lateAnswers.set(RANGE, 300);
    const f = follow(q, '/floatip/e');
    for (let i = 0; i < 3; i++) {
      await wait(100);
      gw.put('/elsewhere', String(i));
      assert.notEqual((await q.campaign(`/floatip/other-${i}`)).kind, 'unreachable');
    }
    await until('the key to read free', () => f.last()?.kind === 'free');
    await wait(1500);
    assert.ok(!log.has('built anew'), log.lines.join('\n'));
    assert.equal(f.last()?.kind, 'free');
  });

  it("an endpoint of the replaced cluster is refused, not followed back: the store is built anew once", async (t) => {
    const old = await FakeEtcdGateway.start({ now: () => clock.now() });
    t.after(() => old.close());
    const { gw, q, log } = await aRig(t, { endpoints: (fresh) => [old.urls[0]!, ...fresh.urls] });
    gw.clusterId = '99';
    await q.start();
    const f = follow(q, '/floatip/f');
    await until('the key to read free', () => f.last()?.kind === 'free');
    // the old cluster's endpoint fails: the client moves on to the new one
    old.endpoints[0]!.fault = 'reset';
    await until('the new cluster to be seen', () => log.has('was replaced by 99'), TTL_MS * 2);
    // and back: the old endpoint answers again, the new one fails
    old.endpoints[0]!.fault = 'none';
    gw.endpoints[0]!.fault = 'reset';
    const asked = old.count('/v3/kv/range');
    await wait(TTL_MS);
    // the old endpoint was asked (a read every TTL/3 tries both) and its answers refused: which error a failed call
    // reports depends on which endpoint it tried last, so the count tells it, not the log
    assert.ok(old.count('/v3/kv/range') > asked, 'the old endpoint was not asked while the new one failed');
    gw.endpoints[0]!.fault = 'none';
    await until('the key to read free again', () => f.last()?.kind === 'free', TTL_MS * 3);
    assert.equal(log.lines.filter((l) => l.includes('was replaced by')).length, 1, log.lines.join('\n'));
  });
});
