import type { FloatingAddress } from '../../domain/index.js';

/**
 * A dead man's switch: once armed it removes the address if this process dies without releasing it
 * (kill -9, a crash), so a dead daemon never leaves the address bound beside the new master. Each address has its
 * own: a node of several addresses arms and disarms them one by one.
 */
export interface ReleaseGuardPort {
  arm(address: FloatingAddress): Promise<void>;
  /** Disarms the address's guard; without an address, every guard. */
  disarm(address?: FloatingAddress): Promise<void>;
  /**
   * Quorum mode: the guard also removes the address on its own `inMs` from now, unless given a later deadline
   * first, so a daemon that stands still (SIGSTOP, a blocked event loop) cannot keep it past its etcd lease. Kept
   * for the next arm when not armed now; null: no deadline. A guard that cannot keep time ignores it.
   */
  deadline(address: FloatingAddress, inMs: number | null): void;
  /** Tells `listener` of each address a guard removed at its deadline (never of a death or a disarm); returns the undo. */
  onFired(listener: (address: FloatingAddress) => void): () => void;
}
export const RELEASE_GUARD_PORT = Symbol.for('floatip.ReleaseGuardPort');
