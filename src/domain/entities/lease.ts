import type { Ipv4Address } from '../value-objects/ipv4-address.js';

/**
 * The right of one node to hold the address for one term. A backup grants the master a lease
 * that every heartbeat renews; once it expires the master is presumed gone.
 */
export class Lease {
  private constructor(
    readonly holder: Ipv4Address,
    readonly term: number,
    private expires: number,
    private readonly durationMs: number,
  ) {}

  /** The expiry a revoke cut short, for a reinstate: a verdict that turns out wrong must not shorten the lease. */
  private revokedFrom: number | null = null;

  static grant(holder: Ipv4Address, term: number, now: number, durationMs: number): Lease {
    return new Lease(holder, term, now + durationMs, durationMs);
  }

  get expiresAt(): number {
    return this.expires;
  }

  renew(now: number): void {
    this.expires = Math.max(this.expires, now + this.durationMs);
    this.revokedFrom = null;
  }

  revoke(now: number): void {
    if (this.expires > now) this.revokedFrom ??= this.expires;
    this.expires = Math.min(this.expires, now);
  }

  /** Undoes a revoke: the lease runs out when it would have (at once, if that time has passed). */
  reinstate(): void {
    if (this.revokedFrom === null) return;
    this.expires = this.revokedFrom;
    this.revokedFrom = null;
  }

  isExpired(now: number): boolean {
    return now >= this.expires;
  }

  /**
   * When a backup wakes for this lease: `probeLeadMs` before it runs out, for the pre-expiry conflict probe (once
   * per expiry time: `probedFor` is the one already probed), else when it runs out. A lease too short for the lead
   * runs out unprobed.
   */
  wakePlan(now: number, probeLeadMs: number, probedFor: number | null): { readonly delayMs: number; readonly probing: boolean } {
    const left = this.expires - now;
    const probing = left > probeLeadMs && probedFor !== this.expires;
    return { delayMs: probing ? left - probeLeadMs : Math.max(0, left), probing };
  }

  /** Woken for the probe and not renewed since: the holder has been silent most of the lease. */
  dueForProbe(now: number, probeLeadMs: number, marginMs: number): boolean {
    return !this.isExpired(now) && this.expires - now <= probeLeadMs + marginMs;
  }

  isHeldBy(node: Ipv4Address): boolean {
    return this.holder.equals(node);
  }
}
