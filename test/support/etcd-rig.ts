// The EtcdQuorum adapter against the in-process fake gateway: real sockets on loopback, the real clock.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { QuorumKey } from '../../src/domain/index.js';
import { EtcdQuorum, SystemClock, type EtcdQuorumOptions } from '../../src/infrastructure/index.js';
import { FakeEtcdGateway } from './fake-etcd-gateway.js';
import { RecordingLogger } from './fakes.js';
import { until as poll } from './real-time.js';

/** Polled every 5 ms: several of these tests time what they wait for. */
export const until = (what: string, cond: () => boolean, ms?: number): Promise<void> => poll(what, cond, ms, 5);

// Real sockets on loopback and the real monotonic clock; the fake gateway stamps each request with the same clock,
// so a renewal's holdUntil can be checked against when its request arrived.
export const clock = new SystemClock();
export const TTL_MS = 2000; // etcd's minimum at its default election timeout: a renewal every 666 ms
export const INTERVAL_MS = Math.floor(TTL_MS / 3);
export const HOLD_MS = TTL_MS * 0.99;
export const KEEPALIVE = '/v3/lease/keepalive';
export const RANGE = '/v3/kv/range';

export interface Rig {
  gw: FakeEtcdGateway;
  q: EtcdQuorum;
  log: RecordingLogger;
}

export async function aRig(t: TestContext, over: { endpoints?: (gw: FakeEtcdGateway) => string[]; gwEndpoints?: number; quorum?: Partial<EtcdQuorumOptions> } = {}): Promise<Rig> {
  const gw = await FakeEtcdGateway.start({ endpoints: over.gwEndpoints ?? 1, now: () => clock.now() });
  const log = new RecordingLogger();
  const q = new EtcdQuorum({ endpoints: over.endpoints?.(gw) ?? gw.urls, leaseTtlMs: TTL_MS, nodeId: '198.18.0.11', clock, logger: log, ...over.quorum });
  t.after(async () => {
    await q.stop();
    await gw.close();
  });
  return { gw, q, log };
}

/** What a follower of `key` hears, with the clock at each. */
export function follow(q: EtcdQuorum, key: string): { states: QuorumKey[]; at: number[]; last: () => QuorumKey | undefined; unfollow: () => void } {
  const states: QuorumKey[] = [];
  const at: number[] = [];
  const unfollow = q.follow(key, (s) => {
    states.push(s);
    at.push(clock.now());
  });
  return { states, at, last: () => states.at(-1), unfollow };
}

/** Wins `key` (the session already started) and follows it until the follower says it is this node's. */
export async function wonAndFollowed(q: EtcdQuorum, key: string): Promise<ReturnType<typeof follow>> {
  assert.equal((await q.campaign(key)).kind, 'ours');
  const f = follow(q, key);
  await until(`the follower of ${key} to say ours`, () => f.last()?.kind === 'ours');
  return f;
}
