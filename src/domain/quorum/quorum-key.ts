/**
 * What a node knows of one address's key in the quorum store (quorum mode: an etcd lease decides who holds it).
 * Times are the clock port's (monotonic ms).
 */
export type QuorumKey =
  /**
   * Held under this node's lease. holdUntil: the earliest the store can expire that lease, by this node's clock
   * (the send time of the last renewal it answered, plus the TTL, less an allowance for clock rate).
   */
  | { readonly kind: 'ours'; readonly holdUntil: number }
  | { readonly kind: 'free' }
  /** holder: the node that created it (its id); lease: the store's lease id, to revoke once its daemon is known gone */
  | { readonly kind: 'held'; readonly holder: string; readonly lease: string }
  /** the store did not answer (no quorum, cut off, refused); why: for the log and status */
  | { readonly kind: 'unreachable'; readonly why: string };

/** What a node does with the address when it cannot reach the store: release it before its lease can end, or keep it. */
export type QuorumLossPolicy = 'release' | 'keep';

export function describeQuorumKey(k: QuorumKey): string {
  switch (k.kind) {
    case 'ours':
      return 'held by this node';
    case 'free':
      return 'free';
    case 'held':
      return `held by ${k.holder}`;
    case 'unreachable':
      return `store unreachable (${k.why})`;
  }
}
