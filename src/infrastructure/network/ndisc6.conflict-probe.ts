import type { ConflictProbePort, ProbeResult } from '../../application/index.js';
import type { FloatingAddress, IpAddress } from '../../domain/index.js';
import { CommandFailedError } from '../errors.js';
import { runCommand, type RunCommand } from '../system/command-runner.js';

/** `ndisc6 -q` prints the answer's target link-layer address alone, upper case. */
const QUIET_MAC = /^([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})\s*$/m;
/** ndisc6's exit code when nobody answered before the wait ran out. */
const NO_RESPONSE = 2;

/**
 * Asks the link whether anyone answers for an IPv6 address: one neighbour solicitation from ndisc6 (Debian's ndisc6
 * package) to the address's solicited-node group, waiting at most the deadline. Whoever has the address answers with
 * an advertisement; this host's own kernel never answers its own solicitation, so an address already bound here is
 * silent (the bind looks at the interface for that). IPv6 only: PingArpingConflictProbe asks for IPv4.
 *
 * `-1 -q -n -r 1 -w <ms>`: the first answer only, its MAC alone, no name lookups, one solicitation, waiting <ms>.
 * Exit 0 is an answer, 2 silence, anything else ndisc6 failing (no such interface, IPv6 off on it), which is an
 * error, never a free address. A hung ndisc6 that our backstop kills is silence, as the wait would have been.
 */
export class Ndisc6ConflictProbe implements ConflictProbePort {
  readonly resolvesMacs = true;

  constructor(
    private readonly ndisc6: string,
    readonly deadlineMs: number,
    private readonly run: RunCommand = runCommand,
  ) {}

  async probe(address: FloatingAddress, deadlineMs = this.deadlineMs): Promise<ProbeResult> {
    const ip = address.ip.toString();
    const answer = await this.solicit(address.interfaceName, address.ip, deadlineMs);
    if (!answer.answered) return { inUse: false };
    const evidence = `neighbour advertisement for ${ip}`;
    return answer.mac ? { inUse: true, evidence: `${evidence} from ${answer.mac}`, mac: answer.mac } : { inUse: true, evidence };
  }

  async macOf(address: FloatingAddress, ip: IpAddress, deadlineMs = this.deadlineMs): Promise<string | null> {
    const answer = await this.solicit(address.interfaceName, ip, deadlineMs);
    return answer.answered ? (answer.mac ?? null) : null;
  }

  private async solicit(iface: string, ip: IpAddress, deadlineMs: number): Promise<{ answered: false } | { answered: true; mac?: string }> {
    const args = ['-1', '-q', '-n', '-r', '1', '-w', String(Math.max(1, Math.round(deadlineMs))), ip.toString(), iface];
    // ndisc6 keeps its own wait; ours is only a backstop for a process that hangs
    const r = await this.run(this.ndisc6, args, deadlineMs + 500);
    if (r.code === 0) {
      const mac = QUIET_MAC.exec(r.stdout)?.[1]?.toLowerCase();
      return mac ? { answered: true, mac } : { answered: true };
    }
    if (r.code === NO_RESPONSE || r.timedOut) return { answered: false };
    throw new CommandFailedError(`${this.ndisc6} ${ip.toString()} ${iface}`, r.code, (r.stderr || r.stdout).trim());
  }
}
