import type { ConflictProbePort, ProbeResult } from '../../application/index.js';
import type { FloatingAddress, IpAddress } from '../../domain/index.js';
import { CommandFailedError } from '../errors.js';
import { runCommand, type CommandResult, type RunCommand } from '../system/command-runner.js';
import type { PingFlavor } from '../system/platform.preflight.js';
import { parsePing, pingArgs } from './ping.command.js';

const REPLY_FROM = /reply from \S+ \[([0-9A-Fa-f:]+)\]/;
/** The reply is taken as soon as arping prints it: arping itself exits 15 to 40 ms later (it closes a packet socket). */
const UNTIL_REPLY = { doneWhen: (stdout: string): boolean => REPLY_FROM.test(stdout) };
const SKIPPED: CommandResult = { code: 0, stdout: '', stderr: '', timedOut: false };

/**
 * Asks the segment whether anyone answers for the address: ARP duplicate detection (Linux) and an
 * ICMP echo, side by side, for at most `deadlineMs`. Either answer means the address is taken.
 */
export class PingArpingConflictProbe implements ConflictProbePort {
  constructor(
    private readonly ping: { file: string; flavor: PingFlavor },
    private readonly arping: string | null,
    readonly deadlineMs: number,
    private readonly run: RunCommand = runCommand,
  ) {}

  get resolvesMacs(): boolean {
    return this.arping !== null;
  }

  /** Duplicate-address detection for `ip` (sender 0.0.0.0): whoever has it answers, this host's own kernel never. */
  async macOf(address: FloatingAddress, ip: IpAddress, deadlineMs = this.deadlineMs): Promise<string | null> {
    if (!this.arping) return null;
    const r = await this.run(this.arping, ['-D', '-c', '1', '-w', '1', '-I', address.interfaceName, ip.toString()], deadlineMs, UNTIL_REPLY);
    const mac = REPLY_FROM.exec(r.stdout)?.[1]?.toLowerCase();
    if (mac) return mac;
    if (r.code === 1) return null;
    // silence until the deadline is an answer; arping failing (an interface whose carrier just came back) is none
    if (r.code !== null && r.code !== 0) throw new CommandFailedError(`${this.arping} -D ${ip.toString()}`, r.code, (r.stderr || r.stdout).trim());
    return null;
  }

  async probe(address: FloatingAddress, deadlineMs = this.deadlineMs): Promise<ProbeResult> {
    const ip = address.ip.toString();
    const iface = address.interfaceName;
    // arping's -w takes whole seconds only, so it is cut off at our own deadline instead.
    const arping = this.arping ? this.run(this.arping, ['-D', '-c', '1', '-w', '1', '-I', iface, ip], deadlineMs, UNTIL_REPLY) : Promise.resolve(SKIPPED);
    const pinging = this.run(this.ping.file, pingArgs(this.ping.flavor, ip, iface, deadlineMs), deadlineMs + 500);
    // an ARP reply decides at once; the ping, bounded by its own deadline, is left to end on its own
    pinging.catch(() => undefined);
    const arp = await arping;
    const mac = REPLY_FROM.exec(arp.stdout)?.[1]?.toLowerCase();
    if (arp.code === 1 || mac) {
      return mac ? { inUse: true, evidence: `ARP reply for ${ip} from ${mac}`, mac } : { inUse: true, evidence: `ARP reply for ${ip}` };
    }
    const icmp = await pinging;
    const echo = icmp.timedOut ? 'no-reply' : parsePing(icmp.stdout);
    if (echo === 'reply') return { inUse: true, evidence: `${ip} answers ping` };
    if (arp.code !== null && arp.code !== 0) {
      throw new CommandFailedError(`${this.arping} -D ${ip}`, arp.code, (arp.stderr || arp.stdout).trim());
    }
    if (echo === 'error') throw new CommandFailedError(`${this.ping.file} ${ip}`, icmp.code, (icmp.stderr || icmp.stdout).trim());
    return { inUse: false };
  }
}
