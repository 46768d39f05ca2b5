import type { ConflictProbePort, ProbeResult } from '../../application/index.js';
import type { FloatingAddress } from '../../domain/index.js';
import { CommandFailedError } from '../errors.js';
import { runCommand } from '../system/command-runner.js';

const REPLY_FROM = /reply from \S+ \[([0-9A-Fa-f:]+)\]/;

/**
 * Asks the segment whether anyone answers for the address: ARP duplicate detection and an ICMP echo,
 * side by side, for at most `deadlineMs`. Either answer means the address is taken.
 */
export class PingArpingConflictProbe implements ConflictProbePort {
  constructor(
    private readonly ping: string,
    private readonly arping: string,
    private readonly deadlineMs: number,
  ) {}

  async probe(address: FloatingAddress): Promise<ProbeResult> {
    const ip = address.ip.toString();
    const seconds = (this.deadlineMs / 1000).toFixed(3);
    // arping's -w takes whole seconds only, so it is cut off at our own deadline instead.
    const [arp, icmp] = await Promise.all([
      runCommand(this.arping, ['-D', '-c', '1', '-w', '1', '-I', address.interfaceName, ip], this.deadlineMs),
      runCommand(this.ping, ['-n', '-c', '1', '-W', seconds, '-I', address.interfaceName, ip], this.deadlineMs + 500),
    ]);
    if (arp.code === 1) {
      const mac = REPLY_FROM.exec(arp.stdout)?.[1];
      return { inUse: true, evidence: `ARP reply for ${ip}${mac ? ` from ${mac}` : ''}` };
    }
    if (icmp.code === 0) return { inUse: true, evidence: `${ip} answers ping` };
    if (arp.code !== null && arp.code !== 0) {
      throw new CommandFailedError(`${this.arping} -D ${ip}`, arp.code, (arp.stderr || arp.stdout).trim());
    }
    if (icmp.code !== null && icmp.code !== 1) {
      throw new CommandFailedError(`${this.ping} ${ip}`, icmp.code, (icmp.stderr || icmp.stdout).trim());
    }
    return { inUse: false };
  }
}
