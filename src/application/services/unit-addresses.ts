import type { FloatingAddress } from '../../domain/index.js';
import type { BindAddress, BindAddressInput, BindOutcome } from '../use-cases/bind-address.use-case.js';
import type { ReleaseAddress } from '../use-cases/release-address.use-case.js';

/** The addresses one machine binds and releases together: one, or a group's, held whole or not at all. */
export class UnitAddresses {
  constructor(
    private readonly bindAddress: BindAddress,
    private readonly releaseAddress: ReleaseAddress,
    private readonly addresses: () => readonly FloatingAddress[],
  ) {}

  /**
   * Binds in order: the first address refused (a conflict) or failing ends the bind, and the ones bound before it
   * are released again. The outcome is the first address's, or the refusal. `rest`: the plan for the others.
   */
  async bind(plan: Omit<BindAddressInput, 'address'>, rest: Omit<BindAddressInput, 'address'> = plan): Promise<BindOutcome> {
    const [first, ...others] = this.addresses();
    const result = await this.bindAddress.execute({ address: first!, ...plan });
    if (result.kind !== 'bound') return result;
    const bound = [first!];
    for (const address of others) {
      let next: BindOutcome;
      try {
        next = await this.bindAddress.execute({ address, ...rest });
      } catch (err) {
        await this.releaseSome(bound);
        throw err;
      }
      if (next.kind !== 'bound') {
        await this.releaseSome(bound);
        return next;
      }
      bound.push(address);
    }
    return result;
  }

  /** Releases every address; true when any of them was bound. */
  release(): Promise<boolean> {
    return this.releaseSome(this.addresses());
  }

  /** Every address is tried, even after one fails (the first failure is thrown at the end): none is left behind. */
  private async releaseSome(addresses: readonly FloatingAddress[]): Promise<boolean> {
    let removed = false;
    let failure: unknown = null;
    for (const address of addresses) {
      try {
        if ((await this.releaseAddress.execute({ address })).kind === 'released') removed = true;
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== null) throw failure;
    return removed;
  }
}
