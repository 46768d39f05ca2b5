import type { ReleaseGuardPort } from '../../application/index.js';
import type { FloatingAddress } from '../../domain/index.js';

/**
 * One guard per address, for a node of several: each is armed when its address is bound and disarmed when it is
 * released, so releasing one address never leaves another unguarded.
 */
export class KeyedReleaseGuard implements ReleaseGuardPort {
  private readonly guards = new Map<string, ReleaseGuardPort>();
  private readonly listeners = new Set<(address: FloatingAddress) => void>();

  constructor(private readonly make: () => ReleaseGuardPort) {}

  arm(address: FloatingAddress): Promise<void> {
    return this.guardOf(address).arm(address);
  }

  deadline(address: FloatingAddress, inMs: number | null): void {
    this.guardOf(address).deadline(address, inMs);
  }

  onFired(listener: (address: FloatingAddress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private guardOf(address: FloatingAddress): ReleaseGuardPort {
    let guard = this.guards.get(address.cidr);
    if (!guard) {
      guard = this.make();
      guard.onFired((a) => {
        for (const listener of this.listeners) listener(a);
      });
      this.guards.set(address.cidr, guard);
    }
    return guard;
  }

  async disarm(address?: FloatingAddress): Promise<void> {
    if (address) {
      await this.guards.get(address.cidr)?.disarm();
      return;
    }
    await Promise.all([...this.guards.values()].map((g) => g.disarm()));
  }
}
