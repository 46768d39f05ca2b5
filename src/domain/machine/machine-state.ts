import type { ElectionStrategy } from '../election/election-strategy.js';
import type { FloatingAddress } from '../entities/floating-address.js';
import type { Lease } from '../entities/lease.js';
import { PeerTable } from '../entities/peer-table.js';
import type { NodeState, TransitionCause } from '../node-state.js';
import type { EchoTiming } from '../timing/echo-timing.js';
import type { QuorumKey, QuorumLossPolicy } from '../quorum/quorum-key.js';
import type { Ipv4Address } from '../value-objects/ipv4-address.js';
import type { Priority } from '../value-objects/priority.js';
import type { ReleasePurpose, TimerName } from './machine-io.js';

/** What one address's machine runs on: its settings, read once per (re)configuration. */
export interface MachineConfig {
  readonly address: FloatingAddress;
  readonly localIp: Ipv4Address;
  readonly priority: Priority;
  readonly preempt: boolean;
  readonly timing: EchoTiming;
  /** named in the isolation fault's reason */
  readonly witnesses: readonly Ipv4Address[];
  /** This node's conflict probe can tell which host answers (no MACs: no claim is checked on the wire). */
  readonly resolvesMacs: boolean;
  readonly election: ElectionStrategy;
  /** Quorum mode (an etcd lease decides who holds the address); null: the heartbeat mode. */
  readonly quorum: { readonly onLoss: QuorumLossPolicy } | null;
}

/** The operation in flight (one at a time: the address is never bound and released at once). */
export type Operation =
  | { kind: 'bind'; startedAt: number; reason: string; cause: TransitionCause; displace?: string; displacesSilentPeer?: boolean }
  | { kind: 'release'; purpose: ReleasePurpose }
  | { kind: 'check-rival'; rival: Ipv4Address; reason: string; cause: TransitionCause };

/**
 * Everything one address's machine knows. The machine owns it: step() updates it in place (as raft's step does
 * its `raft` struct) and returns the effects; nothing else writes it, and the driver only reads it for status.
 */
export interface MachineState {
  config: MachineConfig;
  role: NodeState;
  term: number;
  seq: number;
  startedAt: number;
  readonly peers: PeerTable;
  /** the lease this node grants the master it follows */
  lease: Lease | null;
  /** the named deadlines set now */
  readonly deadlines: Set<TimerName>;
  /** whether the expiry deadline set now is the one for the pre-expiry probe */
  expiryProbing: boolean;
  /** the pre-expiry probe last started, if its result has not been used */
  preProbeAt: number | null;
  /** the lease expiry the last pre-expiry probe was for: one probe per lease term */
  preProbedExpiry: number;
  operation: Operation | null;
  /** a decision was asked for while the operation ran: it is asked again when it ends */
  askAgain: boolean;
  /** a master's claim being checked on the wire, and how many looks found it untrue */
  claimCheck: { claimant: Ipv4Address; term: number; misses: number } | null;
  lastRivalCheckAt: number;
  rivalMisses: { rival: string; count: number } | null;
  lastReassertAt: number;
  lastForcedReassertAt: number;
  lastSentAt: number;
  lastForgetAt: number;
  /** the evidence of the last conflict found at a takeover; '' when the last takeover bound */
  lastConflict: string;
  daemonGoneRetries: number;
  /** the better node this backup waits for to take over, and since when */
  waiting: { since: number } | null;
  /** the master's host this backup probes (echo.host_timeout_in_ms), since when, and the deadline set for it */
  hostWatch: { host: Ipv4Address; since: number; deadlineAt: number } | null;
  /**
   * A host judged silent whose address still answered the quick probe: it is up and its daemon stalled. Its lease
   * runs to `expiresAt` as if the verdict had not been, and the host is not judged again until that lease is renewed.
   */
  hostRefuted: { host: Ipv4Address; expiresAt: number } | null;
  /** when the second announcement after a takeover is due (the reannounce deadline) */
  reannounceAt: number;
  /** quorum mode: the key as last heard of (null: not yet), a campaign in flight, the slowest release and bind seen */
  quorum: QuorumState;
  /** while stopping: the state it stopped from, why, and whether its release worked */
  stopping: { from: NodeState; reason: string; released: boolean } | null;
}

export function initialState(config: MachineConfig): MachineState {
  return {
    config,
    role: 'STOPPED',
    term: 0,
    seq: 0,
    startedAt: 0,
    peers: new PeerTable(),
    lease: null,
    deadlines: new Set(),
    expiryProbing: false,
    preProbeAt: null,
    preProbedExpiry: -1,
    operation: null,
    askAgain: false,
    claimCheck: null,
    lastRivalCheckAt: -Infinity,
    rivalMisses: null,
    lastReassertAt: -Infinity,
    lastForcedReassertAt: -Infinity,
    lastSentAt: -Infinity,
    lastForgetAt: -Infinity,
    lastConflict: '',
    daemonGoneRetries: 0,
    waiting: null,
    hostWatch: null,
    hostRefuted: null,
    reannounceAt: -Infinity,
    quorum: { key: null, keySince: 0, campaigning: false, lastCampaign: null, resigned: false, lastResignAt: -Infinity, slowestReleaseMs: 0, slowestBindMs: 0, mayBeBound: false, keepKey: false, fenceArmedAt: null, guardAt: null, guardFired: false },
    stopping: null,
  };
}

export interface QuorumState {
  key: QuorumKey | null;
  /** when the key became of its kind */
  keySince: number;
  /** a campaign was asked for and not answered yet */
  campaigning: boolean;
  /** the last campaign's time and the key's kind then: one more only once the key changed or an interval passed */
  lastCampaign: { at: number; keyKind: QuorumKey['kind'] } | null;
  /** a resign was asked for the key held now (one per key won); the key counts as not this node's meanwhile */
  resigned: boolean;
  lastResignAt: number;
  slowestReleaseMs: number;
  /** the slowest takeover's bind: a takeover starts only with twice that (at least BIND_FLOOR_MS) left before the fence */
  slowestBindMs: number;
  /** a bind was started and no release has succeeded since: the key is kept (a peer must not take it) */
  mayBeBound: boolean;
  /** the election keeps the key won for the next renewal (too late in its lease to bind on now) */
  keepKey: boolean;
  /** the fence deadline set now (clock time), or null */
  fenceArmedAt: number | null;
  /** the release guard's deadline last given to the driver (clock time), or null: none, or the guard disarmed since */
  guardAt: number | null;
  /** the guard removed the address at its deadline; a master gives way once no operation runs */
  guardFired: boolean;
}

/** STOPPED or STOPPING: nothing from the network or a timer moves the machine then. */
export function isHalted(s: MachineState): boolean {
  return s.role === 'STOPPED' || s.role === 'STOPPING';
}
