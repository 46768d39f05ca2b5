import type { AnnouncerPort } from '../../application/index.js';
import type { FloatingAddress } from '../../domain/index.js';
import { runChecked, runCommand, type RunCommand } from '../system/command-runner.js';

/** Gratuitous ARP (unsolicited requests, one a second) so neighbours repoint their caches to this host. */
export class ArpingAnnouncer implements AnnouncerPort {
  constructor(
    private readonly arping: string,
    private readonly run: RunCommand = runCommand,
  ) {}

  async announce(address: FloatingAddress, count: number): Promise<void> {
    await runChecked(this.arping, ['-U', '-c', String(count), '-I', address.interfaceName, address.ip.toString()], count * 1000 + 3000, this.run);
  }
}
