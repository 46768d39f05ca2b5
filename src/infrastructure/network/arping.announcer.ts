import type { FloatingAddress } from '../../domain/index.js';
import { runCommand, type CommandLine, type RunCommand } from '../system/command-runner.js';
import { CommandAnnouncer } from './command.announcer.js';

/**
 * Gratuitous ARP (unsolicited requests, one a second) so neighbours repoint their caches to this host.
 * Each packet is its own short `arping -c 1`, timed here: a burst still running after a release, or after
 * this daemon died, would point the neighbours back at a host that no longer has the address.
 */
export class ArpingAnnouncer extends CommandAnnouncer {
  // `ip neigh` without a family, as it always was: it flushes the IPv6 entries too
  protected readonly neighbourFamily: readonly string[] = [];

  constructor(
    private readonly arping: string,
    run: RunCommand = runCommand,
    ip: string | null = null,
  ) {
    super(run, ip);
  }

  sendCommand(address: FloatingAddress): CommandLine {
    return { file: this.arping, args: ['-U', '-c', '1', '-I', address.interfaceName, address.ip.toString()] };
  }
}
