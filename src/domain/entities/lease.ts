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

  static grant(holder: Ipv4Address, term: number, now: number, durationMs: number): Lease {
    return new Lease(holder, term, now + durationMs, durationMs);
  }

  get expiresAt(): number {
    return this.expires;
  }

  renew(now: number): void {
    this.expires = Math.max(this.expires, now + this.durationMs);
  }

  revoke(now: number): void {
    this.expires = Math.min(this.expires, now);
  }

  isExpired(now: number): boolean {
    return now >= this.expires;
  }

  isHeldBy(node: Ipv4Address): boolean {
    return this.holder.equals(node);
  }
}
