import { inject, injectable } from 'inversify';
import type { FloatingAddress } from '../../domain/index.js';
import { AddressVerificationError } from '../errors.js';
import { ADDRESS_TABLE_PORT, type AddressTablePort } from '../ports/address-table.port.js';
import { ANNOUNCER_PORT, type AnnouncerPort } from '../ports/announcer.port.js';
import { RELEASE_GUARD_PORT, type ReleaseGuardPort } from '../ports/release-guard.port.js';

export type ReleaseOutcome = { kind: 'released' } | { kind: 'not-bound' };

@injectable()
export class ReleaseAddress {
  constructor(
    @inject(ADDRESS_TABLE_PORT) private readonly table: AddressTablePort,
    @inject(RELEASE_GUARD_PORT) private readonly guard: ReleaseGuardPort,
    @inject(ANNOUNCER_PORT) private readonly announcer: AnnouncerPort,
  ) {}

  async execute(input: { readonly address: FloatingAddress }): Promise<ReleaseOutcome> {
    const { address } = input;
    // an announcement still to come would draw clients back to a host about to lose the address
    this.announcer.cancel(address);
    if (!(await this.table.holds(address))) {
      await this.guard.disarm(address);
      return { kind: 'not-bound' };
    }
    await this.table.unbind(address);
    if (await this.table.holds(address)) throw new AddressVerificationError('release', address.toString());
    // Disarmed only after the address is gone: dying in between still leaves nothing bound.
    await this.guard.disarm(address);
    return { kind: 'released' };
  }
}
