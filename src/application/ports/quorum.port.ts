import type { QuorumKey } from '../../domain/index.js';

/**
 * The quorum store (quorum mode): one lease per node, kept alive by the adapter, and one key per address created
 * under it. What the adapter learns of a key (a watch, periodic reads, each renewal of the lease) goes to its
 * followers; the machine decides what to do with it.
 */
export interface QuorumPort {
  /** Starts the session (grant, then keep-alive) in the background; resolves at once. Counted: one per caller. */
  start(): Promise<void>;
  /** Follows a key: its state soon after, then on every change (an 'ours' key again on every renewal). */
  follow(key: string, listener: (state: QuorumKey) => void): () => void;
  /**
   * Creates the key under this node's lease if it is absent, and says who holds it then. depose: a lease whose
   * holder's daemon is known gone (its echo port refused): revoked first.
   */
  campaign(key: string, depose?: string): Promise<QuorumKey>;
  /**
   * Deletes the key if this node's lease holds it (the address was released): only the incarnation this node
   * created, so a delete applied late never removes a newer one. Rejects when the store did not answer.
   */
  resign(key: string): Promise<void>;
  /**
   * The caller is done; the last one revokes the lease (after every address was released: a graceful stop).
   * keepLease: this caller's address may still be bound (its release failed): no caller's stop revokes the lease.
   */
  stop(keepLease?: boolean): Promise<void>;
}
export const QUORUM_PORT = Symbol.for('floatip.QuorumPort');
