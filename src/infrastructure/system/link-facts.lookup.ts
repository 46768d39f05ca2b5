import { readFileSync } from 'node:fs';
import { LinkFactError } from '../errors.js';

/** What an IPv6 announcement says about the interface, read when each packet is built. */
export interface LinkFacts {
  /** The interface's Ethernet address, lower case (the target link-layer address option). */
  mac(interfaceName: string): string;
  /** Whether the interface forwards IPv6, so this host is a router on it (the NA's R flag). */
  forwarding(interfaceName: string): boolean;
}

const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

/** Linux: /sys/class/net/<if>/address and /proc/sys/net/ipv6/conf/<if>/forwarding; a few microseconds each. */
export class SysfsLinkFacts implements LinkFacts {
  constructor(private readonly read: (path: string) => string = (p) => readFileSync(p, 'utf8')) {}

  mac(interfaceName: string): string {
    const text = this.readFact(`/sys/class/net/${interfaceName}/address`, interfaceName).trim().toLowerCase();
    // na6 writes Ethernet frames only; an interface without a 6-byte address (tun, ppp) cannot take its NA
    if (!MAC.test(text) || text === '00:00:00:00:00:00') throw new LinkFactError(interfaceName, `has no Ethernet address (${text || 'none'})`);
    return text;
  }

  forwarding(interfaceName: string): boolean {
    return this.readFact(`/proc/sys/net/ipv6/conf/${interfaceName}/forwarding`, interfaceName).trim() === '1';
  }

  private readFact(path: string, interfaceName: string): string {
    try {
      return this.read(path);
    } catch (err) {
      throw new LinkFactError(interfaceName, `cannot be read: ${(err as Error).message}`);
    }
  }
}
