import { inject, injectable } from 'inversify';
import type { FloatingAddress, Ipv4Address } from '../../domain/index.js';
import { AddressVerificationError, errorText } from '../errors.js';
import { ADDRESS_TABLE_PORT, type AddressTablePort } from '../ports/address-table.port.js';
import { ANNOUNCER_PORT, type AnnouncerPort } from '../ports/announcer.port.js';
import { CONFLICT_PROBE_PORT, type ConflictProbePort, type ProbeResult } from '../ports/conflict-probe.port.js';
import { LOGGER_PORT, type LoggerPort } from '../ports/logger.port.js';
import { RELEASE_GUARD_PORT, type ReleaseGuardPort } from '../ports/release-guard.port.js';

export interface BindAddressInput {
  readonly address: FloatingAddress;
  /**
   * Skip the conflict probe and save its wait: the previous holder said it released the address, or a
   * probe run just before the master's lease ran out found the address free.
   */
  readonly skipProbe: boolean;
  /** A shorter probe than the adapter's own, when the previous holder is known to be releasing. */
  readonly probeDeadlineMs?: number;
  /**
   * The silent master's own address, after its lease ran out: an answer for the floating address from the MAC that
   * answers for this one (its host is up, its daemon stalled) does not block the takeover. Any other MAC does.
   */
  readonly displace?: Ipv4Address;
  /** Gratuitous ARP packets in the takeover burst. */
  readonly announceCount?: number;
}

/**
 * alreadyBound: found bound here before binding; looked for only when probing. displaced: the MAC of the stalled
 * master's host that still answered for the address. mac: who answered, where ARP said.
 */
export type BindOutcome = { kind: 'bound'; alreadyBound: boolean; displaced?: string } | { kind: 'conflict'; evidence: string; mac?: string };

@injectable()
export class BindAddress {
  constructor(
    @inject(ADDRESS_TABLE_PORT) private readonly table: AddressTablePort,
    @inject(CONFLICT_PROBE_PORT) private readonly probe: ConflictProbePort,
    @inject(ANNOUNCER_PORT) private readonly announcer: AnnouncerPort,
    @inject(RELEASE_GUARD_PORT) private readonly guard: ReleaseGuardPort,
    @inject(LOGGER_PORT) private readonly logger: LoggerPort,
  ) {}

  async execute(input: BindAddressInput): Promise<BindOutcome> {
    const { address } = input;
    // Armed before binding: a daemon killed right after the bind must not leave the address behind.
    const armed = this.guard.arm(address);
    armed.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
    const disarm = (): Promise<void> => armed.then(() => this.guard.disarm(address), () => undefined);
    let alreadyBound = false;
    let displaced: string | undefined;
    if (!input.skipProbe) {
      // An address already bound here answers the probe itself, so the interface is looked at too, and the
      // probe's result ignored then. The look, the probe and the guard overlap: each is a process start, and the
      // probe's wait for silence is the takeover's longest step. Without a probe the look is not needed:
      // binding an address already bound here leaves it as it is.
      let found: ProbeResult;
      let displaceable: string | null = null;
      try {
        [alreadyBound, found, displaceable] = await Promise.all([
          this.table.holds(address),
          this.probe.probe(address, input.probeDeadlineMs),
          input.displace ? this.probe.macOf(address, input.displace, input.probeDeadlineMs) : Promise.resolve(null),
        ]);
      } catch (err) {
        await disarm();
        throw err;
      }
      this.logger.debug(`conflict probe for ${address.ip.toString()}: ${found.inUse ? found.evidence : 'free'}`);
      if (!alreadyBound && found.inUse) {
        if (!found.mac || found.mac !== displaceable) {
          await disarm();
          // where a silent node could have been displaced, what its host answered decided
          const silent = input.displace ? `; the silent node ${input.displace.toString()} ${displaceable ? `answers from ${displaceable}` : 'did not answer ARP'}` : '';
          return { kind: 'conflict', evidence: `${found.evidence}${silent}`, ...(found.mac ? { mac: found.mac } : {}) };
        }
        displaced = found.mac;
      }
    }
    await armed;
    if (!alreadyBound) await this.table.bind(address);
    // Clients follow the announcement within milliseconds, so it goes out while the bind is read back; a failed
    // read-back withdraws it, and the caller releases.
    this.announce(input);
    if (!alreadyBound && !(await this.table.holds(address))) {
      this.announcer.cancel(address);
      throw new AddressVerificationError('bind', address.toString());
    }
    return { kind: 'bound', alreadyBound, ...(displaced ? { displaced } : {}) };
  }

  /** Not awaited: the announcement must not hold up the state machine. */
  private announce(input: BindAddressInput): void {
    const ip = input.address.ip.toString();
    this.announcer.announce(input.address, input.announceCount ?? 3).catch((err: unknown) => {
      this.logger.warn(`gratuitous ARP for ${ip} failed: ${errorText(err)}`);
    });
  }
}
