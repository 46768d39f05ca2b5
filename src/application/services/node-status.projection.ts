import { describeQuorumKey, type EchoTiming, type Lease, type NodeState, type PeerNode, type QuorumKey, type StateChange, type WireState } from '../../domain/index.js';
import { addressesOf, type NodeSettings } from '../node-settings.js';
import type { CheckStatus } from './health-monitor.service.js';

export type { StateChange } from '../../domain/index.js';

export interface PeerStatus {
  readonly id: string;
  readonly priority: number;
  readonly state: WireState;
  readonly term: number;
  readonly alive: boolean;
  readonly lastSeenMsAgo: number;
}

export interface NodeStatus {
  readonly id: string;
  readonly address: string;
  readonly state: NodeState;
  readonly priority: number;
  /** The configured priority less the weights of failing checks. */
  readonly effectivePriority: number;
  readonly preempt: boolean;
  readonly term: number;
  readonly holder: string | null;
  /** The lease this backup grants the master it follows. */
  readonly lease: { readonly holder: string; readonly term: number; readonly expiresInMs: number } | null;
  readonly lastChange: { readonly from: NodeState; readonly to: NodeState; readonly reason: string; readonly msAgo: number } | null;
  readonly peers: readonly PeerStatus[];
  readonly checks: readonly CheckStatus[];
  readonly witnessLastAnsweredMsAgo: number | null;
  /** Quorum mode: the address's etcd key as last heard of; fenceInMs: while it is ours, how long until the release would start. */
  readonly quorum?: { readonly key: QuorumKey['kind'] | 'unknown'; readonly detail: string; readonly fenceInMs: number | null };
}

/** What the status is made of: a read of the node's state at one moment, no part of the rules. */
export interface StatusSources {
  readonly settings: NodeSettings;
  readonly state: NodeState;
  readonly effectivePriority: number;
  readonly term: number;
  /** The lease this backup grants its master, if it has not run out. */
  readonly lease: Lease | null;
  readonly lastChange: StateChange | null;
  readonly peers: readonly PeerNode[];
  readonly checks: readonly CheckStatus[];
  readonly witnessOkAt: number | null;
  readonly now: number;
  readonly timing: EchoTiming;
  /** Quorum mode: the key (null: not heard of yet); undefined: the heartbeat mode. */
  readonly quorum?: QuorumKey | null;
  readonly fenceAt?: number | null;
}

/** The node as `floatip status` and /status show it. */
export function projectStatus(src: StatusSources): NodeStatus {
  const { settings, now, lease, lastChange } = src;
  return {
    id: settings.localIp.toString(),
    address: addressesOf(settings).map(String).join(', '),
    state: src.state,
    priority: settings.priority.value,
    effectivePriority: src.effectivePriority,
    preempt: settings.preempt,
    term: src.term,
    holder: src.state === 'MASTER' ? settings.localIp.toString() : (lease?.holder.toString() ?? null),
    lease: lease ? { holder: lease.holder.toString(), term: lease.term, expiresInMs: lease.expiresAt - now } : null,
    lastChange: lastChange ? { from: lastChange.from, to: lastChange.to, reason: lastChange.reason, msAgo: now - lastChange.at } : null,
    peers: src.peers.map((p) => ({
      id: p.id.toString(),
      priority: p.priority,
      state: p.state,
      term: p.term,
      alive: p.isAlive(now, src.timing),
      lastSeenMsAgo: p.silentFor(now),
    })),
    checks: src.checks,
    witnessLastAnsweredMsAgo: src.witnessOkAt === null ? null : now - src.witnessOkAt,
    ...(src.quorum === undefined
      ? {}
      : {
          quorum: {
            key: src.quorum?.kind ?? 'unknown',
            detail: src.quorum ? describeQuorumKey(src.quorum) : 'not heard from etcd yet',
            fenceInMs: src.fenceAt === null || src.fenceAt === undefined ? null : src.fenceAt - now,
          },
        }),
  };
}
