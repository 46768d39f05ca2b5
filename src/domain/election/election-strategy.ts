import type { Lease } from '../entities/lease.js';
import type { PeerNode } from '../entities/peer-node.js';
import type { NodeState, TransitionCause } from '../node-state.js';
import type { EchoTiming } from '../timing/echo-timing.js';
import type { Ipv4Address } from '../value-objects/ipv4-address.js';
import type { QuorumView } from './quorum.election.js';

/** What a node knows when it asks who may hold the address now. */
export interface ElectionView {
  readonly self: { readonly id: Ipv4Address; readonly priority: number; readonly state: NodeState; readonly term: number };
  readonly peers: readonly PeerNode[];
  /** The lease this node granted to the master it follows, if any: it tells how that master was lost. */
  readonly lease: Lease | null;
  readonly now: number;
  readonly startedAt: number;
  /** Listen window, liveness, preemption delay, how long a refuted claim or a passed-over node is discounted. */
  readonly timing: EchoTiming;
  /**
   * Set when the master's lease ran out and every backup spoke once shortly before (see the machine's
   * electionRoundSince): the master's last heartbeat. A backup not heard since did not speak then, so its host is
   * gone too and it does not count.
   */
  readonly roundSince?: number;
  /** Quorum mode: this address's key in the store; absent in the heartbeat mode. */
  readonly quorum?: QuorumView;
}

export type ElectionDecision =
  /** waitingFor: a better node that should take the address over now; the machine passes it over if it does not. */
  /** keepKey (quorum mode): the etcd key won is kept for the next renewal, too late in its lease to bind on now */
  | { kind: 'stay'; waitingFor?: Ipv4Address; keepKey?: boolean }
  | { kind: 'become-backup'; reason: string; cause: TransitionCause }
  /** handover: the previous holder said it released the address, so no conflict probe is needed. */
  | { kind: 'take-over'; reason: string; handover: boolean; cause: TransitionCause }
  /** `to`: the rival master; this node steps down only once the address is seen answering from the rival's host. */
  | { kind: 'step-down'; to: Ipv4Address; reason: string; cause: TransitionCause }
  | { kind: 'hand-over'; to: Ipv4Address; reason: string; cause: TransitionCause }
  | { kind: 'reassert'; reason: string }
  /** quorum mode: ask the store for the key first; depose: the lease of a holder whose daemon is known gone */
  | { kind: 'campaign'; reason: string; depose?: string };

/**
 * Who may hold the address now: the one question the machine leaves to a strategy. Pure: no I/O, time comes in
 * the view. Peer heartbeats (PeerHeartbeatElection) are the first answer; a second (an etcd lease) implements this
 * and is bound to ELECTION_STRATEGY_PORT instead, with what it learns arriving at the machine as events.
 */
export interface ElectionStrategy {
  decide(view: ElectionView): ElectionDecision;
}
