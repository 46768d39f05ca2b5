import type { AnnouncerPort } from '../../application/index.js';
import type { FloatingAddress } from '../../domain/index.js';
import { PreconditionError } from '../errors.js';

/**
 * One announcer for both families: gratuitous ARP for an IPv4 address, unsolicited neighbour advertisements for an
 * IPv6 one. `ipv6` is null where its tool is missing; `whyNoIpv6` is then the error an IPv6 announcement gets.
 */
export class DualStackAnnouncer implements AnnouncerPort {
  constructor(
    readonly ipv4: AnnouncerPort,
    readonly ipv6: AnnouncerPort | null,
    private readonly whyNoIpv6 = 'IPv6 addresses cannot be announced here',
  ) {}

  async announce(address: FloatingAddress, count: number): Promise<void> {
    await this.forFamily(address.family).announce(address, count);
  }

  cancel(address?: FloatingAddress): void {
    if (address) {
      if (address.family === 4) this.ipv4.cancel(address);
      else this.ipv6?.cancel(address);
      return;
    }
    this.ipv4.cancel();
    this.ipv6?.cancel();
  }

  async forgetUnresolvedNeighbours(address: FloatingAddress): Promise<void> {
    await this.forFamily(address.family).forgetUnresolvedNeighbours(address);
  }

  private forFamily(family: 4 | 6): AnnouncerPort {
    if (family === 4) return this.ipv4;
    if (!this.ipv6) throw new PreconditionError(this.whyNoIpv6);
    return this.ipv6;
  }
}
