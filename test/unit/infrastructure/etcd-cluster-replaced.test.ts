import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TTL_MS, aRig, clock, follow, until, wonAndFollowed } from '../../support/etcd-rig.js';

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
    assert.match(meanwhile.kind === 'unreachable' ? meanwhile.why : '', /the etcd cluster was replaced/);
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
});
