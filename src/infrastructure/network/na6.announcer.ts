import type { FloatingAddress } from '../../domain/index.js';
import { runCommand, type CommandLine, type RunCommand } from '../system/command-runner.js';
import { SysfsLinkFacts, type LinkFacts } from '../system/link-facts.lookup.js';
import { CommandAnnouncer } from './command.announcer.js';

/** The all-nodes multicast address: every neighbour on the link hears an unsolicited advertisement. */
const ALL_NODES = 'ff02::1';

/**
 * Unsolicited neighbour advertisements for an IPv6 address (RFC 4861 section 7.2.6), sent with na6 of the SI6 IPv6
 * toolkit: from the address to ff02::1, hop limit 255 (na6's default, which receivers require), Override set,
 * Solicited clear, Router as the interface forwards, and a target link-layer address option with the interface's
 * MAC. na6 forges the Ethernet source too unless told, so it is given the same MAC.
 *
 * The kernel's own (net.ipv6.conf.<if>.ndisc_notify) is not used: it sends one NA when duplicate address detection
 * completes, and none for a nodad address, which is how floatip binds so the address answers at once. One packet
 * is also too few: a neighbour that misses it keeps the old MAC until its own reachability probe. So the burst is
 * timed here, like the gratuitous ARP (see CommandAnnouncer).
 */
export class Na6Announcer extends CommandAnnouncer {
  protected readonly neighbourFamily: readonly string[] = ['-6'];

  constructor(
    private readonly na6: string,
    run: RunCommand = runCommand,
    ip: string | null = null,
    private readonly link: LinkFacts = new SysfsLinkFacts(),
  ) {
    super(run, ip);
  }

  /**
   * One advertisement. The MAC and the forwarding flag are read each time (microseconds), so a packet never says
   * what the interface no longer is.
   */
  sendCommand(address: FloatingAddress): CommandLine {
    const iface = address.interfaceName;
    const ip = address.ip.toString();
    const mac = this.link.mac(iface);
    const router = this.link.forwarding(iface) ? ['-r'] : [];
    return { file: this.na6, args: ['-i', iface, '-s', ip, '-d', ALL_NODES, '-t', ip, '-S', mac, '-E', mac, '-o', ...router] };
  }
}
