import type { ClockPort, LoggerPort, QuorumPort, TimerHandle } from '../../application/index.js';
import type { QuorumKey } from '../../domain/index.js';
import { EtcdGatewayClient, type EtcdClientOptions, type EtcdGateway, type EtcdTlsMaterial } from './etcd-gateway.client.js';
import { EtcdError, isLeaseId, sanitize, type EtcdKv } from './etcd-json.js';
import { KeyFollower, type FollowerHost } from './etcd-key.follower.js';
import { EtcdLeaseSession, errorWhy } from './etcd-lease.session.js';
import { ReasonLog } from './reason-log.js';

export interface EtcdQuorumOptions {
  /** Client URLs of the members (http:// or https://). */
  readonly endpoints: readonly string[];
  /** The lease's TTL: whole seconds, at least 2 s (etcd's minimum at its default election timeout). */
  readonly leaseTtlMs: number;
  /** This node's id: the value written into the keys it holds. */
  readonly nodeId: string;
  readonly tls?: EtcdTlsMaterial;
  readonly auth?: { readonly username: string; readonly password: string };
  readonly clock: ClockPort;
  readonly logger: LoggerPort;
  /** Makes the gateway client (a test's stand-in); the real one by default. */
  readonly client?: (options: EtcdClientOptions) => EtcdGateway;
}

/** The longest holder id reported (a key's value is whatever a writer put there). */
const MAX_HOLDER_CHARS = 253;

/**
 * QuorumPort on etcd v3 (JSON gateway): one lease per node, kept alive in the background, and one key per address,
 * created under it. Keys are followed by a watch and a periodic read; campaigns and resigns are single transactions.
 */
export class EtcdQuorum implements QuorumPort {
  private readonly client: EtcdGateway;
  private readonly session: EtcdLeaseSession;
  private readonly followers = new Map<string, KeyFollower>();
  private readonly readLog: ReasonLog;
  private readonly host: FollowerHost;
  private starts = 0;
  private keepLease = false;
  /** Until when (clock ms) the store counts as out of reach: it was built anew (see replaced()). */
  private replacedUntil = -Infinity;
  private replacedTimer: TimerHandle | null = null;

  constructor(private readonly options: EtcdQuorumOptions) {
    const { leaseTtlMs, nodeId, clock, logger } = options;
    if (!Number.isInteger(leaseTtlMs) || leaseTtlMs < 2000 || leaseTtlMs % 1000 !== 0) {
      throw new Error(`etcd lease TTL ${leaseTtlMs} ms: whole seconds, at least 2000 ms`);
    }
    if (!nodeId) throw new Error('etcd quorum: an empty node id');
    const make = options.client ?? ((o: EtcdClientOptions) => new EtcdGatewayClient(o));
    this.client = make({
      endpoints: options.endpoints,
      now: () => clock.now(),
      onNewStore: (why) => this.replaced(why),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.auth ? { auth: options.auth } : {}),
    });
    this.session = new EtcdLeaseSession(this.client, leaseTtlMs, clock, logger, {
      renewed: (lease) => this.eachFollower((f) => f.lease === lease && f.refresh(true)),
      // the store deleted every key under the lease: read them all again
      lost: () => this.eachFollower((f) => void f.read()),
      failed: () => this.eachFollower((f) => f.refresh(false)),
    });
    this.readLog = new ReasonLog((l) => logger.warn(l), () => clock.now());
    const stateOf = (kv: EtcdKv | null): QuorumKey => this.stateOf(kv);
    this.host = {
      client: this.client,
      clock,
      logger,
      intervalMs: this.session.intervalMs,
      stateOf,
      readFailed: (key, why) => this.readLog.fail(why, `etcd: cannot read ${key}: ${why}`),
      readOk: () => {
        if (this.readLog.ok()) logger.info(`etcd: keys readable again (${this.client.endpoint})`);
      },
    };
  }

  start(): Promise<void> {
    if (++this.starts === 1) this.session.start();
    return Promise.resolve();
  }

  follow(key: string, listener: (state: QuorumKey) => void): () => void {
    let f = this.followers.get(key);
    if (!f) {
      f = new KeyFollower(key, this.host);
      this.followers.set(key, f);
    }
    const follower = f;
    follower.add(listener);
    return () => {
      follower.remove(listener);
      if (follower.empty && this.followers.get(key) === follower) {
        follower.close();
        this.followers.delete(key);
      }
    };
  }

  async campaign(key: string, depose?: string): Promise<QuorumKey> {
    const { clock, logger, nodeId } = this.options;
    const quiet = this.quiet();
    if (quiet) return quiet;
    const deadline = clock.now() + 2 * this.session.intervalMs;
    const left = (): number => Math.max(1, Math.min(this.session.intervalMs, deadline - clock.now()));
    try {
      if (depose !== undefined) await this.depose(depose, left());
      for (let attempt = 0; ; attempt++) {
        const lease = await this.session.ensure(deadline);
        let outcome;
        try {
          outcome = await this.client.txnCreateIfAbsent(key, nodeId, lease, left());
        } catch (e) {
          // "requested lease not found": it ended since its last renewal; once more with a new one
          if (attempt === 0 && e instanceof EtcdError && e.notFound) {
            this.session.forget(lease, 'the store no longer knows it');
            continue;
          }
          throw e;
        }
        const revision = outcome.at.revision.toString();
        const kv: EtcdKv | null = outcome.won ? { key, value: nodeId, lease, createRevision: revision, modRevision: revision } : outcome.kv;
        if (!kv || kv.key !== key) throw new EtcdError('answer', 'the store refused to create the key but did not say who holds it');
        this.followers.get(key)?.learn(kv, outcome.at);
        const state = this.stateOf(kv);
        logger.debug(`etcd campaign for ${key}: ${outcome.won ? 'won' : state.kind === 'held' ? `held by ${state.holder}` : state.kind}`);
        return state;
      }
    } catch (e) {
      const why = errorWhy(e);
      this.readLog.fail(why, `etcd: campaign for ${key} failed: ${why}`);
      return { kind: 'unreachable', why };
    }
  }

  /**
   * Deletes the key if it is still the incarnation this node created under its lease: a delete that reaches the
   * store late (after a timeout here) cannot remove the key this node, or another, created since. Rejects when the
   * store did not answer, so the caller tries again.
   */
  async resign(key: string): Promise<void> {
    const lease = this.session.id;
    if (!lease) return;
    const f = this.followers.get(key);
    const incarnation = f?.lease === lease ? (f.createRevision ?? undefined) : undefined;
    try {
      const r = await this.client.txnDeleteIfLease(key, lease, this.session.intervalMs, incarnation);
      if (r.deleted) f?.learn(null, r.at);
      else void f?.read();
    } catch (e) {
      throw new Error(`could not delete ${key} (it goes with lease ${lease}): ${errorWhy(e)}`);
    }
  }

  async stop(keepLease = false): Promise<void> {
    this.keepLease ||= keepLease;
    if (this.starts === 0 || --this.starts > 0) return;
    for (const f of this.followers.values()) f.close();
    this.followers.clear();
    if (this.replacedTimer) this.options.clock.clearTimeout(this.replacedTimer);
    this.replacedTimer = null;
    // an address that may still be bound keeps its key until the lease runs out on its own
    await this.session.stop(this.session.intervalMs, !this.keepLease);
    this.client.close();
    if (this.replacedTimer) this.options.clock.clearTimeout(this.replacedTimer);
    this.replacedTimer = null;
  }

  /** Revokes the lease of a holder known gone; unknown to the store is as good. Never this node's own. */
  private async depose(lease: string, timeoutMs: number): Promise<void> {
    if (lease === this.session.id) return;
    if (!isLeaseId(lease)) throw new EtcdError('answer', `cannot depose lease ${sanitize(lease, 30)}: not a lease id`);
    const found = await this.client.leaseRevoke(lease, timeoutMs);
    this.options.logger.info(`etcd lease ${lease} ${found ? 'revoked: its holder is gone' : 'already gone'}`, { lease });
  }

  /**
   * The store was built anew (see EtcdClientOptions.onNewStore): the old one's leases and keys may be gone (a
   * snapshot restored keeps them), but a node that held a key there may keep its address until that lease would
   * have ended, a TTL at most after its last renewal. For one TTL this node takes the store as out of reach: it
   * neither campaigns nor reports a key free or held (a holder releases at its fence). Its own lease is granted
   * anew, and every key read again from the new store's revisions.
   */
  private replaced(why: string): void {
    const { clock, logger, leaseTtlMs } = this.options;
    // stopping: the session's last calls may still answer, and nothing is to follow
    if (this.starts === 0) return;
    this.replacedUntil = clock.now() + leaseTtlMs;
    logger.warn(`${why}: the store was built anew; no campaign for ${leaseTtlMs} ms, so that a holder under an old lease lets go first`);
    this.eachFollower((f) => f.restart());
    const lease = this.session.id;
    // its keys go with it: the followers read them again (and say unreachable until the wait ends)
    if (lease) this.session.forget(lease, 'the etcd store was built anew');
    this.eachFollower((f) => f.refresh(false));
    if (this.replacedTimer) clock.clearTimeout(this.replacedTimer);
    this.replacedTimer = clock.setTimeout(() => {
      this.replacedTimer = null;
      this.eachFollower((f) => void f.read());
    }, leaseTtlMs);
  }

  private quiet(): QuorumKey | null {
    const left = this.replacedUntil - this.options.clock.now();
    return left > 0 ? { kind: 'unreachable', why: `the etcd store was built anew: waiting ${Math.ceil(left)} ms for old leases to end` } : null;
  }

  private stateOf(kv: EtcdKv | null): QuorumKey {
    const quiet = this.quiet();
    if (quiet) return quiet;
    if (!kv) return { kind: 'free' };
    if (kv.lease === this.session.id) {
      if (this.session.live()) return { kind: 'ours', holdUntil: this.session.holdUntil };
      return { kind: 'unreachable', why: `lease ${kv.lease} not renewed in time: ${this.session.why}` };
    }
    return { kind: 'held', holder: sanitize(kv.value, MAX_HOLDER_CHARS), lease: kv.lease };
  }

  private eachFollower(fn: (f: KeyFollower) => unknown): void {
    for (const f of this.followers.values()) fn(f);
  }
}
