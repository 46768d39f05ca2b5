import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import type { QuorumKey } from '../../../src/domain/index.js';
import { EtcdQuorum } from '../../../src/infrastructure/index.js';
import { LineSplitter, decodeWatchLine } from '../../../src/infrastructure/quorum/etcd-watch.stream.js';
import { HOLD_MS, INTERVAL_MS, KEEPALIVE, RANGE, TTL_MS, aRig, clock, follow, until, wonAndFollowed } from '../../support/etcd-rig.js';
import { FakeEtcdGateway } from '../../support/fake-etcd-gateway.js';
import { RecordingLogger } from '../../support/fakes.js';
import { wait } from '../../support/real-time.js';

/** A loopback port nothing listens on. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

const whyOf = (s: QuorumKey | undefined): string => (s?.kind === 'unreachable' ? s.why : '');
const lines = (log: RecordingLogger, fragment: string): number => log.lines.filter((l) => l.includes(fragment)).length;

describe('EtcdQuorum against a fake etcd JSON gateway', { concurrency: true, timeout: 20_000 }, () => {
  it('renews the lease every TTL/3 from the send time, and holdUntil counts from each renewal’s send, not its late answer', async (t) => {
    const { gw, q } = await aRig(t);
    gw.grantTtl = 5; // the store may raise the TTL: the one asked for still bounds holdUntil
    gw.delays.set(KEEPALIVE, 400);
    await q.start();
    const won = await q.campaign('/floatip/a');
    assert.equal(won.kind, 'ours');
    const lease = gw.get('/floatip/a')!.lease;
    assert.ok(BigInt(lease) > 2n ** 53n, 'a 63-bit lease id, kept exact');
    const kaArrivals = (): number[] => gw.calls.filter((c) => c.path === KEEPALIVE).map((c) => c.at);
    const seen: { holdUntil: number; lastKa: number | undefined }[] = [];
    q.follow('/floatip/a', (s) => s.kind === 'ours' && seen.push({ holdUntil: s.holdUntil, lastKa: kaArrivals().at(-1) }));
    await until('three renewals', () => seen.filter((s) => s.lastKa !== undefined).length >= 3);
    for (const s of seen.filter((x) => x.lastKa !== undefined)) {
      // sent at or before it arrived; counted from its answer (arrival + 400 ms) it would be past this bound
      assert.ok(s.holdUntil <= s.lastKa! + HOLD_MS, `holdUntil ${s.holdUntil} past arrival ${s.lastKa} + ${HOLD_MS}`);
      assert.ok(s.holdUntil >= s.lastKa! + HOLD_MS - 200, `holdUntil ${s.holdUntil} far before arrival ${s.lastKa} + ${HOLD_MS}`);
    }
    const arrivals = kaArrivals();
    for (let i = 1; i < arrivals.length; i++) {
      const gap = arrivals[i]! - arrivals[i - 1]!;
      // every 666 ms from each send (from each answer it would be 1066 ms)
      assert.ok(gap > INTERVAL_MS - 100 && gap < INTERVAL_MS + 300, `keepalives ${gap} ms apart`);
    }
    assert.ok(gw.calls.filter((c) => c.path === KEEPALIVE).every((c) => c.body['ID'] === lease), 'the lease id is sent as the exact string');
  });

  it('a keepalive answered TTL 0 loses the lease: a new one is granted at once and every followed key is read again', async (t) => {
    const { gw, q, log } = await aRig(t);
    await q.start();
    const f = await wonAndFollowed(q, '/floatip/b');
    gw.deafWatches = true; // only the re-read can tell
    const old = gw.get('/floatip/b')!.lease;
    const expiredAt = clock.now();
    gw.expire(old);
    await until('the key to be seen free', () => f.last()?.kind === 'free');
    await until('a new lease', () => gw.leaseIds.length === 1 && gw.leaseIds[0] !== old);
    assert.ok(log.has(`etcd lease ${old} lost (the store answered TTL 0)`));
    const ttl0 = gw.calls.find((c) => c.path === KEEPALIVE && c.at >= expiredAt && c.body['ID'] === old)!;
    assert.ok(
      gw.calls.some((c) => c.path === RANGE && c.at >= ttl0.at && c.at - ttl0.at < 150),
      'the key was read right after the TTL 0 answer',
    );
    const again = await q.campaign('/floatip/b');
    assert.equal(again.kind, 'ours');
    assert.equal(gw.get('/floatip/b')!.lease, gw.leaseIds[0]);
  });

  it('a keepalive answer without TTL counts as a lost lease', async (t) => {
    const { gw, q, log } = await aRig(t);
    await q.start();
    await until('a lease', () => gw.leaseIds.length === 1);
    const old = gw.leaseIds[0]!;
    gw.omitTtl = true;
    await until('a second grant', () => gw.count('/v3/lease/grant') >= 2);
    assert.ok(log.has(`etcd lease ${old} lost`));
  });

  it('campaign wins a free key, reports a held one with its holder and lease, and an own key as ours', async (t) => {
    const { gw, q } = await aRig(t);
    await q.start();
    const other = gw.grantLease();
    gw.put('/floatip/held', '198.18.0.12', other);
    const free = await q.campaign('/floatip/free');
    assert.equal(free.kind, 'ours');
    assert.equal(gw.get('/floatip/free')!.value, '198.18.0.11');
    assert.deepEqual(await q.campaign('/floatip/held'), { kind: 'held', holder: '198.18.0.12', lease: other });
    const again = await q.campaign('/floatip/free');
    assert.equal(again.kind, 'ours');
    assert.ok(again.kind === 'ours' && again.holdUntil > clock.now());
    await q.resign('/floatip/free');
    assert.equal(gw.get('/floatip/free'), undefined);
    await q.resign('/floatip/held'); // not ours: left alone
    assert.equal(gw.get('/floatip/held')!.lease, other);
  });

  it('campaign with depose revokes the gone holder’s lease first, then wins; an unknown lease is no failure', async (t) => {
    const { gw, q, log } = await aRig(t);
    await q.start();
    const other = gw.grantLease();
    gw.put('/floatip/d', '198.18.0.12', other);
    const f = follow(q, '/floatip/d');
    await until('held', () => f.last()?.kind === 'held');
    assert.equal((await q.campaign('/floatip/d', other)).kind, 'ours');
    assert.equal(gw.hasLease(other), false);
    assert.ok(log.has(`etcd lease ${other} revoked`));
    await until('the follower to hear of the win', () => f.last()?.kind === 'ours');
    assert.equal((await q.campaign('/floatip/e', '1234567890123456789')).kind, 'ours');
    assert.ok(log.has('etcd lease 1234567890123456789 already gone'));
  });

  it('follow sees a key freed by its holder’s lease expiry through the watch, before any re-read', async (t) => {
    const { gw, q } = await aRig(t);
    await q.start();
    const other = gw.grantLease();
    gw.put('/floatip/w', '198.18.0.12', other);
    const f = follow(q, '/floatip/w');
    await until('held', () => f.last()?.kind === 'held');
    await wait(100);
    const reads = gw.count(RANGE);
    const t0 = clock.now();
    gw.expire(other);
    await until('free', () => f.last()?.kind === 'free', 1000);
    assert.ok(clock.now() - t0 < 200, `seen after ${clock.now() - t0} ms`);
    assert.equal(gw.count(RANGE), reads, 'no read was needed');
    assert.deepEqual(f.states.map((s) => s.kind), ['held', 'free']);
  });

  it('follow sees a key freed by expiry through the periodic read when the watch is deaf', async (t) => {
    const { gw, q } = await aRig(t);
    await q.start();
    gw.deafWatches = true;
    const other = gw.grantLease();
    gw.put('/floatip/p', '198.18.0.12', other);
    const f = follow(q, '/floatip/p');
    await until('held', () => f.last()?.kind === 'held');
    const t0 = clock.now();
    gw.expire(other);
    await until('free', () => f.last()?.kind === 'free', INTERVAL_MS + 1000);
    assert.ok(clock.now() - t0 <= INTERVAL_MS + 300, `seen after ${clock.now() - t0} ms`);
  });

  it('an unreachable store: follow and campaign say unreachable, and the failures cost one log line each', async (t) => {
    const dead = await deadUrl();
    const { q, log } = await aRig(t, { endpoints: () => [dead] });
    await q.start();
    const f = follow(q, '/floatip/u');
    await until('unreachable', () => f.last()?.kind === 'unreachable');
    const c = await q.campaign('/floatip/u');
    assert.equal(c.kind, 'unreachable');
    assert.match(whyOf(c), /ECONNREFUSED/);
    await wait(1500); // several retries of the lease and the read
    assert.equal(lines(log, 'etcd unreachable'), 1, log.lines.join('\n'));
    assert.equal(lines(log, 'cannot read /floatip/u'), 1, log.lines.join('\n'));
    assert.deepEqual(f.states.map((s) => s.kind), ['unreachable']);
  });

  it('rotates to the next endpoint when one refuses, and within the deadline when one hangs', async (t) => {
    const dead = await deadUrl();
    const refusing = await aRig(t, { endpoints: (gw) => [dead, ...gw.urls] });
    await refusing.q.start();
    assert.equal((await refusing.q.campaign('/floatip/r')).kind, 'ours');

    const hanging = await aRig(t, { gwEndpoints: 2 });
    hanging.gw.endpoints[0]!.fault = 'hang';
    await hanging.q.start();
    const t0 = clock.now();
    assert.equal((await hanging.q.campaign('/floatip/h')).kind, 'ours');
    assert.ok(clock.now() - t0 < 2 * INTERVAL_MS, `campaign took ${clock.now() - t0} ms`);
    const f = follow(hanging.q, '/floatip/h');
    await until('ours', () => f.last()?.kind === 'ours');
    assert.ok(hanging.gw.calls.some((c) => c.endpoint === 1 && c.path === KEEPALIVE) || hanging.gw.count('/v3/lease/grant') > 0);
  });

  it('an endless answer is cut off at the size cap, quickly, with a log line', async (t) => {
    const { gw, q, log } = await aRig(t);
    gw.endpoints[0]!.fault = 'huge';
    gw.endpoints[0]!.faultPaths = [RANGE];
    await q.start();
    const t0 = clock.now();
    const f = follow(q, '/floatip/x');
    await until('unreachable', () => f.last()?.kind === 'unreachable');
    assert.ok(clock.now() - t0 < INTERVAL_MS, `took ${clock.now() - t0} ms`);
    assert.match(whyOf(f.last()), /exceeds 1048576 bytes/);
    assert.ok(log.has('answer exceeds 1048576 bytes'), log.lines.join('\n'));
  });

  it('answers that are not JSON, or not etcd’s, fail the call with a log line and never extend the lease', async (t) => {
    const { gw, q, log } = await aRig(t);
    await q.start();
    const f = await wonAndFollowed(q, '/floatip/g');
    gw.endpoints[0]!.fault = 'garbage';
    gw.endpoints[0]!.faultPaths = [KEEPALIVE, RANGE];
    const lastOurs = (): number => {
      const o = f.states.filter((s) => s.kind === 'ours').at(-1);
      return o?.kind === 'ours' ? o.holdUntil : 0;
    };
    const before = lastOurs();
    await until('the follower to give up on the lease', () => f.last()?.kind === 'unreachable', TTL_MS + 1500);
    assert.equal(lastOurs(), before, 'no garbage answer extended holdUntil');
    assert.ok(log.has('not JSON'), log.lines.join('\n'));
    assert.ok(lines(log, 'not JSON') <= 3, log.lines.join('\n'));
  });

  it('a store that cannot renew the lease: the key turns unreachable once holdUntil passes', async (t) => {
    const { gw, q, log } = await aRig(t);
    gw.timeExpiry = false; // a member cut off from the leader: the lease lives on, unrenewed
    await q.start();
    const f = await wonAndFollowed(q, '/floatip/n');
    gw.endpoints[0]!.fault = 'unavailable';
    gw.endpoints[0]!.faultPaths = [KEEPALIVE];
    await until('unreachable', () => f.last()?.kind === 'unreachable', TTL_MS + 1500);
    const lastOurs = f.states.filter((s) => s.kind === 'ours').at(-1)!;
    assert.ok(lastOurs.kind === 'ours' && f.at.at(-1)! >= lastOurs.holdUntil, 'said unreachable only once holdUntil had passed');
    assert.match(whyOf(f.last()), /not renewed/);
    assert.ok(log.has('no leader'));
    gw.endpoints[0]!.fault = 'none';
    await until('ours again', () => f.last()?.kind === 'ours', 2000);
  });

  it('re-authenticates once when the store says the token is invalid', async (t) => {
    const { gw, q } = await aRig(t, { quorum: { auth: { username: 'floatip', password: 's3cret' } } });
    gw.users.set('floatip', 's3cret');
    await q.start();
    assert.equal((await q.campaign('/floatip/auth1')).kind, 'ours');
    assert.equal(gw.count('/v3/auth/authenticate'), 1);
    gw.invalidateTokens();
    assert.equal((await q.campaign('/floatip/auth2')).kind, 'ours');
    assert.equal(gw.count('/v3/auth/authenticate'), 2);
  });
});

describe('EtcdQuorum stop', () => {
  it('is counted; the last stop revokes the lease and leaves nothing that keeps the process alive', async () => {
    const handles = (): number => process.getActiveResourcesInfo().filter((r) => /Timeout|TCP/.test(r)).length;
    const baseline = handles();
    const gw = await FakeEtcdGateway.start({ now: () => clock.now() });
    const log = new RecordingLogger();
    const q = new EtcdQuorum({ endpoints: gw.urls, leaseTtlMs: TTL_MS, nodeId: '198.18.0.11', clock, logger: log });
    await q.start();
    await q.start();
    const f = await wonAndFollowed(q, '/floatip/s');
    const lease = gw.leaseIds[0]!;
    await q.stop();
    await wait(INTERVAL_MS + 100);
    assert.ok(gw.hasLease(lease), 'one caller still runs the session');
    f.unfollow();
    await q.stop();
    assert.equal(gw.hasLease(lease), false);
    assert.equal(gw.get('/floatip/s'), undefined, 'the key went with the lease');
    assert.ok(log.has(`etcd lease ${lease} revoked`));
    await gw.close();
    await wait(50);
    assert.ok(handles() <= baseline, process.getActiveResourcesInfo().join(', '));
  });

  it('rejects a TTL that is not whole seconds of at least 2', () => {
    const base = { endpoints: ['http://127.0.0.1:2379'], nodeId: 'n', clock, logger: new RecordingLogger() };
    assert.throws(() => new EtcdQuorum({ ...base, leaseTtlMs: 1000 }));
    assert.throws(() => new EtcdQuorum({ ...base, leaseTtlMs: 2500 }));
  });
});

describe('etcd watch stream decoding', () => {
  const kv = (key: string, more: Record<string, unknown> = {}): Record<string, unknown> => ({ key: Buffer.from(key).toString('base64'), mod_revision: '7', ...more });
  const line = (result: Record<string, unknown>): string => JSON.stringify({ result: { header: { revision: '7' }, ...result } });

  it('reads created, a PUT (no type: 0 is omitted) and a DELETE', () => {
    assert.deepEqual(decodeWatchLine(line({ created: true })), { kind: 'created', at: { cluster: '', revision: 7n } });
    const m = decodeWatchLine(line({ events: [{ kv: kv('/k', { value: Buffer.from('n1').toString('base64'), lease: '8360619928206928955' }) }, { type: 'DELETE', kv: kv('/k') }] }));
    assert.equal(m.kind, 'events');
    if (m.kind !== 'events') return;
    assert.deepEqual(
      m.events.map((e) => [e.type, e.kv.key, e.kv.value, e.kv.lease]),
      [
        ['put', '/k', 'n1', '8360619928206928955'],
        ['delete', '/k', '', '0'],
      ],
    );
  });

  it('ends on compaction, cancellation and an error object, asking for a fresh read where history is gone', () => {
    assert.deepEqual(decodeWatchLine(line({ compact_revision: '5', canceled: true })), { kind: 'end', why: 'the store compacted its history up to revision 5', resync: true });
    assert.equal(decodeWatchLine(line({ canceled: true, cancel_reason: 'mvcc: required revision has been compacted' })).kind, 'end');
    const err = decodeWatchLine(JSON.stringify({ error: { grpc_code: 14, message: 'etcdserver: no leader\u0007\n' } }));
    assert.equal(err.kind, 'end');
    assert.match(err.kind === 'end' ? err.why : '', /no leader\?\?$/);
  });

  it('refuses hostile lines: not JSON, wrong types, an int64 out of range', () => {
    assert.throws(() => decodeWatchLine('<html>'), /not JSON/);
    assert.throws(() => decodeWatchLine(line({ events: {} })), /not a list/);
    assert.throws(() => decodeWatchLine(line({ events: [{ type: 'EXPLODE', kv: kv('/k') }] })), /event type/);
    assert.throws(() => decodeWatchLine(line({ events: [{ kv: kv('/k', { lease: '99999999999999999999' }) }] })), /int64/);
    assert.throws(() => decodeWatchLine(line({ events: [{ kv: kv('/k', { lease: -1 }) }] })), /negative/);
  });

  it('splits lines across chunks (a UTF-8 character too) and caps a line', () => {
    const split = new LineSplitter(16);
    const bytes = Buffer.from('{"a":"é"}\n{"b":1}\n');
    assert.deepEqual(split.push(bytes.subarray(0, 7)), []);
    assert.deepEqual(split.push(bytes.subarray(7)), ['{"a":"é"}', '{"b":1}']);
    assert.throws(() => split.push(Buffer.alloc(17, 0x20)), /exceeds 16 bytes/);
  });
});
