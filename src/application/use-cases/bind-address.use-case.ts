import { inject, injectable } from 'inversify';
import type { FloatingAddress } from '../../domain/index.js';
import { AddressVerificationError } from '../errors.js';
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
  /** Gratuitous ARP packets in the takeover burst. */
  readonly announceCount?: number;
}

const FREE: Promise<ProbeResult> = Promise.resolve({ inUse: false });

export type BindOutcome = { kind: 'bound'; alreadyBound: boolean } | { kind: 'conflict'; evidence: string };

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
    // The look at the interface, the probe and the guard's start overlap: each is a process start, and the
    // probe's wait for silence is the takeover's longest step. An address already bound here answers the
    // probe itself, so then its result is ignored.
    // Armed before binding: a daemon killed right after the bind must not leave the address behind.
    const armed = this.guard.arm(address);
    armed.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
    let alreadyBound: boolean;
    let found: ProbeResult;
    try {
      [alreadyBound, found] = await Promise.all([
        this.table.holds(address),
        input.skipProbe ? FREE : this.probe.probe(address, input.probeDeadlineMs),
      ]);
    } catch (err) {
      await armed.then(() => this.guard.disarm(), () => undefined);
      throw err;
    }
    await armed;
    if (!input.skipProbe) this.logger.debug(`conflict probe for ${address.ip.toString()}: ${found.inUse ? found.evidence : 'free'}`);
    if (!alreadyBound && found.inUse) {
      await this.guard.disarm();
      return { kind: 'conflict', evidence: found.evidence };
    }
    if (!alreadyBound) {
      await this.table.bind(address);
      if (!(await this.table.holds(address))) throw new AddressVerificationError('bind', address.toString());
    }
    // The announcement must not hold up the state machine: clients follow it within milliseconds anyway.
    this.announcer.announce(address, input.announceCount ?? 3).catch((err: unknown) => {
      this.logger.warn(`gratuitous ARP for ${address.ip.toString()} failed: ${err instanceof Error ? err.message : String(err)}`);
    });
    return { kind: 'bound', alreadyBound };
  }
}
