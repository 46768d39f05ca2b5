import type { AnnouncerPort } from '../../application/index.js';
import type { FloatingAddress } from '../../domain/index.js';
import { runChecked, runCommand, type CommandLine, type RunCommand } from '../system/command-runner.js';

export const ANNOUNCE_SPACING_MS = 1000;

/**
 * Gratuitous ARP (unsolicited requests, one a second) so neighbours repoint their caches to this host.
 * Each packet is its own short `arping -c 1`, timed here: a burst still running after a release, or after
 * this daemon died, would point the neighbours back at a host that no longer has the address.
 */
export class ArpingAnnouncer implements AnnouncerPort {
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(
    private readonly arping: string,
    private readonly run: RunCommand = runCommand,
    /** iproute2's ip, for the neighbour table; null where it is missing (then nothing is forgotten) */
    private readonly ip: string | null = null,
  ) {}

  async forgetUnresolvedNeighbours(address: FloatingAddress): Promise<void> {
    if (!this.ip) return;
    await runChecked(this.ip, ['neigh', 'flush', 'dev', address.interfaceName, 'nud', 'incomplete', 'nud', 'failed'], 3000, this.run);
  }

  async announce(address: FloatingAddress, count: number): Promise<void> {
    for (let i = 1; i < count; i++) {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        this.send(address).catch(() => undefined);
      }, i * ANNOUNCE_SPACING_MS);
      this.pending.add(timer);
    }
    await this.send(address);
  }

  cancel(): void {
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }

  /** The command that sends one packet: it can be started ahead of time. */
  sendCommand(address: FloatingAddress): CommandLine {
    return { file: this.arping, args: ['-U', '-c', '1', '-I', address.interfaceName, address.ip.toString()] };
  }

  private async send(address: FloatingAddress): Promise<void> {
    const { file, args } = this.sendCommand(address);
    await runChecked(file, args, 3000, this.run);
  }
}
