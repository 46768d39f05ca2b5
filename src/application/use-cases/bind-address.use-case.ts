import { inject, injectable } from 'inversify';
import type { FloatingAddress } from '../../domain/index.js';
import { AddressVerificationError } from '../errors.js';
import { ADDRESS_TABLE_PORT, type AddressTablePort } from '../ports/address-table.port.js';
import { ANNOUNCER_PORT, type AnnouncerPort } from '../ports/announcer.port.js';
import { CONFLICT_PROBE_PORT, type ConflictProbePort } from '../ports/conflict-probe.port.js';
import { LOGGER_PORT, type LoggerPort } from '../ports/logger.port.js';
import { RELEASE_GUARD_PORT, type ReleaseGuardPort } from '../ports/release-guard.port.js';

export interface BindAddressInput {
  readonly address: FloatingAddress;
  /**
   * Skip the conflict probe and save its wait: the previous holder said it released the address, or a
   * probe run just before the master's lease ran out found the address free.
   */
  readonly skipProbe: boolean;
  /** Gratuitous ARP packets in the takeover burst. */
  readonly announceCount?: number;
}

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
    const alreadyBound = await this.table.holds(address);
    if (!alreadyBound && !input.skipProbe) {
      const found = await this.probe.probe(address);
      if (found.inUse) return { kind: 'conflict', evidence: found.evidence };
    }
    // Armed before binding: a daemon killed right after the bind must not leave the address behind.
    await this.guard.arm(address);
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
