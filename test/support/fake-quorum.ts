import assert from 'node:assert/strict';
import type { ClockPort, QuorumPort, TimerHandle } from '../../src/application/index.js';
import type { QuorumKey } from '../../src/domain/index.js';

interface StoreLease {
  readonly owner: string;
  expiresAt: number;
  timer: TimerHandle;
}

/**
 * An etcd stand-in in virtual time: leases that end TTL after the last renewal the store received, keys bound to
 * them, and a switch per node to cut it off. What a node sees goes through its FakeQuorum, as through the real adapter.
 */
export class FakeQuorumStore {
  private readonly leases = new Map<string, StoreLease>();
  readonly keys = new Map<string, { holder: string; lease: string }>();
  private readonly cut = new Set<string>();
  private down = false;
  private nextLease = 1;
  private readonly clients = new Set<FakeQuorum>();

  constructor(
    readonly clock: ClockPort,
    readonly ttlMs: number,
  ) {}

  client(nodeId: string, record: ((text: string) => void) | null = null): FakeQuorum {
    const c = new FakeQuorum(this, nodeId, record);
    this.clients.add(c);
    return c;
  }

  reaches(nodeId: string): boolean {
    return !this.down && !this.cut.has(nodeId);
  }

  /** The node loses the store (its other links stay); heal gives it back. */
  cutOff(nodeId: string): void {
    this.cut.add(nodeId);
  }

  heal(nodeId: string): void {
    this.cut.delete(nodeId);
  }

  /** All of the store gone (no quorum), or back: leases do not run out meanwhile (no leader counts them). */
  setDown(down: boolean): void {
    this.down = down;
    if (down) for (const l of this.leases.values()) this.clock.clearTimeout(l.timer);
    else for (const id of this.leases.keys()) this.renew(id);
  }

  grant(owner: string): string {
    const id = String(this.nextLease++);
    this.leases.set(id, { owner, expiresAt: 0, timer: { id: -1 } });
    this.renew(id);
    return id;
  }

  /** false: the lease is gone (TTL 0). */
  renew(id: string): boolean {
    const lease = this.leases.get(id);
    if (!lease) return false;
    this.clock.clearTimeout(lease.timer);
    lease.expiresAt = this.clock.now() + this.ttlMs;
    lease.timer = this.clock.setTimeout(() => this.revoke(id), this.ttlMs);
    return true;
  }

  revoke(id: string): void {
    const lease = this.leases.get(id);
    if (!lease) return;
    this.clock.clearTimeout(lease.timer);
    this.leases.delete(id);
    for (const [key, v] of [...this.keys]) if (v.lease === id) this.setKey(key, null);
  }

  createIfAbsent(key: string, holder: string, lease: string): { holder: string; lease: string } {
    const now = this.keys.get(key);
    if (now) return now;
    if (!this.leases.has(lease)) throw new Error('requested lease not found');
    this.setKey(key, { holder, lease });
    return { holder, lease };
  }

  deleteIfLease(key: string, lease: string): void {
    if (this.keys.get(key)?.lease === lease) this.setKey(key, null);
  }

  private setKey(key: string, v: { holder: string; lease: string } | null): void {
    if (v) this.keys.set(key, v);
    else this.keys.delete(key);
    for (const c of this.clients) c.keyChanged(key);
  }

  assertKeyHeldBy(key: string, holder: string | null): void {
    assert.equal(this.keys.get(key)?.holder ?? null, holder, `the etcd key ${key}`);
  }
}

/** One node's session with the fake store: a lease kept alive every TTL/3, keys followed, as the etcd adapter does. */
export class FakeQuorum implements QuorumPort {
  private lease: string | null = null;
  private holdUntil = -Infinity;
  private users = 0;
  private timer: TimerHandle | null = null;
  private readonly followers = new Map<string, Set<(k: QuorumKey) => void>>();
  private readonly last = new Map<string, QuorumKey>();
  readonly campaigns: { key: string; depose?: string }[] = [];
  readonly resigns: string[] = [];
  /** killed: nothing more goes to the store */
  private dead = false;

  constructor(
    private readonly store: FakeQuorumStore,
    private readonly nodeId: string,
    /** a trace's recorder: what this session asked of the store, and the answer */
    private readonly record: ((text: string) => void) | null = null,
  ) {}

  private get clock(): ClockPort {
    return this.store.clock;
  }

  start(): Promise<void> {
    if (this.users++ === 0) this.keepAlive();
    return Promise.resolve();
  }

  private keepAlive(): void {
    const sentAt = this.clock.now();
    if (this.store.reaches(this.nodeId)) {
      if (this.lease !== null && !this.store.renew(this.lease)) this.lease = null;
      if (this.lease === null) this.lease = this.store.grant(this.nodeId);
      this.holdUntil = sentAt + this.store.ttlMs * 0.99;
    }
    for (const key of this.followers.keys()) this.publish(key, true);
    this.timer = this.clock.setTimeout(() => this.keepAlive(), this.store.ttlMs / 3);
  }

  private view(key: string): QuorumKey {
    if (!this.store.reaches(this.nodeId)) return { kind: 'unreachable', why: 'cut off' };
    const v = this.store.keys.get(key);
    if (!v) return { kind: 'free' };
    if (v.lease === this.lease) return { kind: 'ours', holdUntil: this.holdUntil };
    return { kind: 'held', holder: v.holder, lease: v.lease };
  }

  /** A watch: only a node that reaches the store hears of a change. */
  keyChanged(key: string): void {
    if (this.store.reaches(this.nodeId)) this.publish(key, false);
  }

  private publish(key: string, renewal: boolean): void {
    const now = this.view(key);
    const before = this.last.get(key);
    if (before && JSON.stringify(before) === JSON.stringify(now) && !(renewal && now.kind === 'ours')) return;
    this.last.set(key, now);
    for (const l of this.followers.get(key) ?? []) l(now);
  }

  follow(key: string, listener: (state: QuorumKey) => void): () => void {
    const set = this.followers.get(key) ?? new Set();
    set.add(listener);
    this.followers.set(key, set);
    this.clock.setTimeout(() => listener(this.view(key)), 0);
    return () => set.delete(listener);
  }

  campaign(key: string, depose?: string): Promise<QuorumKey> {
    this.campaigns.push(depose === undefined ? { key } : { key, depose });
    if (this.dead || !this.store.reaches(this.nodeId)) {
      this.record?.(`etcd campaign: unreachable`);
      return Promise.resolve({ kind: 'unreachable', why: 'cut off' });
    }
    if (depose !== undefined) this.store.revoke(depose);
    if (this.lease === null) {
      this.lease = this.store.grant(this.nodeId);
      this.holdUntil = this.clock.now() + this.store.ttlMs * 0.99;
    }
    this.store.createIfAbsent(key, this.nodeId, this.lease);
    const answer = this.view(key);
    this.record?.(`etcd campaign${depose === undefined ? '' : ` (revoked lease ${depose})`}: ${answer.kind === 'held' ? `held by ${answer.holder}` : answer.kind}`);
    return Promise.resolve(answer);
  }

  resign(key: string): Promise<void> {
    this.resigns.push(key);
    if (!this.dead && !this.store.reaches(this.nodeId)) {
      this.record?.('etcd resign: unreachable');
      return Promise.reject(new Error('etcd unreachable (cut off)'));
    }
    this.record?.('etcd resign');
    if (!this.dead && this.lease !== null) this.store.deleteIfLease(key, this.lease);
    return Promise.resolve();
  }

  private keepLease = false;

  stop(keepLease = false): Promise<void> {
    this.keepLease ||= keepLease;
    if (--this.users > 0) return Promise.resolve();
    if (this.timer) this.clock.clearTimeout(this.timer);
    if (this.lease !== null && !this.dead && !this.keepLease && this.store.reaches(this.nodeId)) this.store.revoke(this.lease);
    this.lease = null;
    return Promise.resolve();
  }

  /** The process died (kill -9): no more renewals, no revoke; the store ends the lease at its TTL. */
  crash(): void {
    this.dead = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.followers.clear();
  }

  assertCampaigned(times: number): void {
    assert.equal(this.campaigns.length, times, `${this.nodeId}'s campaigns: ${JSON.stringify(this.campaigns)}`);
  }
}
