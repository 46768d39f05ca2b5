import type { ClockPort, LoggerPort, TimerHandle } from '../../application/index.js';
import type { EtcdGateway } from './etcd-gateway.client.js';
import { EtcdError, sanitize } from './etcd-json.js';
import { ReasonLog } from './reason-log.js';

/** A holdUntil counts 1 % less than the TTL: this node's clock may run that much slower than the store leader's. */
export const CLOCK_RATE_ALLOWANCE = 0.99;
/** The first retry after a failed grant or renewal; it doubles up to a keep-alive interval. */
export const LEASE_RETRY_BASE_MS = 250;

export interface LeaseSessionEvents {
  /** A lease was granted or renewed; holdUntil may have moved. */
  renewed(lease: string): void;
  /** The store no longer has the lease: its keys are gone. */
  lost(lease: string): void;
  /** A grant or renewal failed; the lease, if any, is kept until the store says it is gone. */
  failed(): void;
}

type Outcome = 'ok' | 'lost' | 'failed';

/** Why a call failed, fit for a log line. */
export function errorWhy(e: unknown): string {
  return e instanceof EtcdError ? e.message : sanitize(e instanceof Error ? e.message : String(e));
}

/**
 * This node's etcd lease: granted, kept alive every TTL/3, granted anew when the store says it is gone. holdUntil
 * is the earliest the store can expire it, by this node's clock: each answered request counts from when it was
 * sent, never from when the answer came, and an error or a TTL of 0 never moves it.
 */
export class EtcdLeaseSession {
  private lease: { readonly id: string; readonly ttlMs: number } | null = null;
  private until = -Infinity;
  private running = false;
  /** After stop(), until the next start(): no new lease (a campaign still in flight must not leave one behind). */
  private stopped = false;
  private timer: TimerHandle | null = null;
  private op: Promise<Outcome> | null = null;
  private lastSentAt = -Infinity;
  private failures = 0;
  private lastError = 'no lease granted yet';
  private readonly log: ReasonLog;

  constructor(
    private readonly client: EtcdGateway,
    private readonly ttlMs: number,
    private readonly clock: ClockPort,
    private readonly logger: LoggerPort,
    private readonly events: LeaseSessionEvents,
  ) {
    this.log = new ReasonLog((l) => logger.warn(l), () => clock.now());
  }

  /** The keep-alive period, and every call's longest deadline. */
  get intervalMs(): number {
    return Math.floor(this.ttlMs / 3);
  }

  get id(): string | null {
    return this.lease?.id ?? null;
  }

  get holdUntil(): number {
    return this.until;
  }

  /** Why there is no live lease (the last failure). */
  get why(): string {
    return this.lastError;
  }

  live(): boolean {
    return this.lease !== null && this.until > this.clock.now();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    this.schedule(0);
  }

  /** Ends the loop, then revokes the lease within `timeoutMs`: its keys go at once rather than at its expiry. */
  /** revoke false: the lease ends on its own, its TTL after the last renewal (an address may still be bound). */
  async stop(timeoutMs: number, revoke = true): Promise<void> {
    this.running = false;
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.op;
    const lease = this.lease;
    this.lease = null;
    this.until = -Infinity;
    if (!lease) return;
    if (!revoke) {
      this.logger.warn(`etcd lease ${lease.id} left to run out: an address may still be bound here`, { lease: lease.id });
      return;
    }
    try {
      const found = await this.client.leaseRevoke(lease.id, timeoutMs);
      this.logger.info(found ? `etcd lease ${lease.id} revoked` : `etcd lease ${lease.id} was already gone`, { lease: lease.id });
    } catch (e) {
      this.logger.warn(`could not revoke etcd lease ${lease.id} (it ends by itself within its TTL): ${errorWhy(e)}`, { lease: lease.id });
    }
  }

  /** A live lease within the deadline (clock ms): the current one, renewed, or a new one. */
  async ensure(deadline: number): Promise<string> {
    for (let i = 0; i < 3; i++) {
      if (this.stopped) throw new EtcdError('closed', 'the etcd session is stopped');
      if (this.live()) return this.lease!.id;
      const left = deadline - this.clock.now();
      if (left <= 0) break;
      await this.step(Math.min(left, this.intervalMs));
    }
    if (this.live()) return this.lease!.id;
    throw new EtcdError('timeout', `no live etcd lease: ${this.lastError}`);
  }

  /** The store said it does not know the lease (TTL 0, or "requested lease not found"). */
  forget(id: string, why: string): void {
    if (this.lease?.id !== id) return;
    this.lease = null;
    this.until = -Infinity;
    this.lastError = `lease ${id} lost: ${why}`;
    this.logger.warn(`etcd lease ${id} lost (${why}); granting a new one`, { lease: id });
    this.events.lost(id);
  }

  /** One grant or renewal; a call already in flight is shared. */
  private step(timeoutMs: number): Promise<Outcome> {
    this.op ??= (this.lease ? this.renew(this.lease.id, timeoutMs) : this.grant(timeoutMs)).finally(() => (this.op = null));
    return this.op;
  }

  private async grant(timeoutMs: number): Promise<Outcome> {
    const requested = this.ttlMs / 1000;
    try {
      const a = await this.client.leaseGrant(requested, timeoutMs);
      const ttlMs = Math.min(requested, a.ttlS) * 1000;
      this.lease = { id: a.id, ttlMs };
      this.until = a.sentAt + ttlMs * CLOCK_RATE_ALLOWANCE;
      this.lastSentAt = a.sentAt;
      this.succeeded();
      const hex = BigInt(a.id).toString(16);
      this.logger.info(`etcd lease ${a.id} granted, TTL ${a.ttlS} s`, { lease: a.id, leaseHex: hex, ttlS: a.ttlS, endpoint: this.endpoint() });
      this.events.renewed(a.id);
      return 'ok';
    } catch (e) {
      return this.failed(e);
    }
  }

  private async renew(id: string, timeoutMs: number): Promise<Outcome> {
    try {
      const a = await this.client.leaseKeepAliveOnce(id, timeoutMs);
      if (this.lease?.id !== id) return 'ok';
      if (a.ttlS <= 0) {
        this.forget(id, 'the store answered TTL 0');
        return 'lost';
      }
      this.until = Math.max(this.until, a.sentAt + Math.min(this.lease.ttlMs, a.ttlS * 1000) * CLOCK_RATE_ALLOWANCE);
      this.lastSentAt = Math.max(this.lastSentAt, a.sentAt);
      this.succeeded();
      this.events.renewed(id);
      return 'ok';
    } catch (e) {
      return this.failed(e);
    }
  }

  private succeeded(): void {
    this.failures = 0;
    if (this.log.ok()) this.logger.info(`etcd reachable again (${this.endpoint()})`);
  }

  private failed(e: unknown): Outcome {
    const why = errorWhy(e);
    this.failures++;
    this.lastError = why;
    this.log.fail(why, `etcd unreachable: ${why}${this.lease ? ` (lease ${this.lease.id} not renewed)` : ' (no lease)'}`);
    this.events.failed();
    return 'failed';
  }

  private endpoint(): string {
    return this.client.endpoint;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, Math.max(0, ms));
  }

  private async tick(): Promise<void> {
    const left = this.until - this.clock.now();
    // a renewal must fail in time to try another endpoint before the lease could end
    const timeout = this.lease && left > 0 ? Math.min(this.intervalMs, Math.max(left, 100)) : this.intervalMs;
    const outcome = await this.step(timeout);
    if (outcome === 'lost') return this.schedule(0);
    if (outcome === 'failed') return this.schedule(Math.min(LEASE_RETRY_BASE_MS * 2 ** Math.min(this.failures - 1, 10), this.intervalMs));
    this.schedule(this.lastSentAt + this.intervalMs - this.clock.now());
  }
}
