import type { ConflictProbePort, ProbeResult } from '../../application/index.js';
import type { FloatingAddress, IpAddress } from '../../domain/index.js';
import { PreconditionError } from '../errors.js';

/**
 * One conflict probe for both families: an IPv4 address (and an IPv4 peer's MAC) is asked with ARP, an IPv6 one with
 * neighbour discovery. A holder check of an IPv6 address asks both: the address by NS, the claimant (a peer, always
 * IPv4) by ARP. `ipv6` is null where its tool is missing; `whyNoIpv6` is then the error an IPv6 question gets.
 */
export class DualStackConflictProbe implements ConflictProbePort {
  constructor(
    readonly ipv4: ConflictProbePort,
    readonly ipv6: ConflictProbePort | null,
    private readonly whyNoIpv6 = 'IPv6 addresses cannot be probed here',
  ) {}

  get deadlineMs(): number {
    return this.ipv4.deadlineMs;
  }

  /** A holder check of an IPv6 address needs both families' answers. */
  get resolvesMacs(): boolean {
    return this.ipv4.resolvesMacs && (this.ipv6?.resolvesMacs ?? true);
  }

  async probe(address: FloatingAddress, deadlineMs?: number): Promise<ProbeResult> {
    return this.forFamily(address.family).probe(address, deadlineMs);
  }

  async macOf(address: FloatingAddress, ip: IpAddress, deadlineMs?: number): Promise<string | null> {
    return this.forFamily(ip.family).macOf(address, ip, deadlineMs);
  }

  private forFamily(family: 4 | 6): ConflictProbePort {
    if (family === 4) return this.ipv4;
    if (!this.ipv6) throw new PreconditionError(this.whyNoIpv6);
    return this.ipv6;
  }
}
