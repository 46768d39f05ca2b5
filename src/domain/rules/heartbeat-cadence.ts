import type { PeerNode } from '../entities/peer-node.js';
import type { NodeState } from '../node-state.js';
import type { EchoTiming } from '../timing/echo-timing.js';

/** What decides how often a node speaks and wakes. */
export interface CadenceView {
  readonly state: NodeState;
  /** It follows a master whose lease has not run out. */
  readonly hearsMaster: boolean;
  /** Its last takeover found the address in use elsewhere: it looks again every interval. */
  readonly inConflict: boolean;
}

/** Heard when its next heartbeat was due (see EchoTiming.heardWhenDueMs): stricter than alive. */
export function heardWhenDue(p: PeerNode, now: number, timing: EchoTiming): boolean {
  return !p.lost && now - p.lastSeenAt < timing.heardWhenDueMs(p.state);
}

/**
 * A master that has peers but hears none of them is on one side of a partition, or alone. It speaks four times
 * as often, so that when the network heals the other side hears it (and a split brain ends) within a quarter
 * interval; it costs a few packets, and only while the partition lasts.
 */
export function isLonelyMaster(state: NodeState, peers: readonly PeerNode[], now: number, timing: EchoTiming): boolean {
  if (state !== 'MASTER') return false;
  let silent = false;
  for (const p of peers) {
    if (heardWhenDue(p, now, timing)) return false;
    // a peer that said goodbye or whose daemon is dead is not across a partition
    if (!p.lost) silent = true;
  }
  return silent;
}

/**
 * A backup that hears its master has no tick: it speaks in step with the master, evaluates each heartbeat as it
 * arrives, and the lease's timer wakes it if the master falls silent; only where that timer has a moment to speak
 * before expiry. Every timer that fires wakes an idle daemon, and wake-ups are most of its CPU.
 */
export function isTickless(v: CadenceView, timing: EchoTiming): boolean {
  return v.state === 'BACKUP' && !v.inConflict && timing.leaseOutlastsProbe && v.hearsMaster;
}

/**
 * How long until the next tick. The master and a starting node speak every interval (a master that hears none of
 * its peers, four times as often); a backup that hears its master once per quiet period, one that hears none three
 * times per timeout; after a conflict a backup looks again every interval.
 */
export function tickPeriodMs(v: CadenceView, lonely: boolean, timing: EchoTiming): number {
  if (v.state === 'BACKUP' && !v.inConflict) return v.hearsMaster ? timing.backupQuietPeriodMs : timing.thirdOfTimeoutMs;
  if (lonely) return timing.lonelyMasterPeriodMs;
  return timing.intervalMs;
}

/**
 * Whether a tick sends a heartbeat: always for the master and a starting node; a backup's is due once its quiet
 * period has passed, an interval later while a master is heard (whose heartbeats carry ours).
 */
export function tickSpeaks(v: CadenceView, now: number, lastSentAt: number, timing: EchoTiming): boolean {
  if (v.state === 'MASTER' || v.state === 'INIT') return true;
  return now - lastSentAt >= timing.backupDueAfterMs(v.hearsMaster ? timing.intervalMs : 0);
}

/**
 * The peers a stopping master can hand the address to: heard when due, in a state that may take it (not FAULT,
 * not stopping), and not passed over for failing to take it when it was their turn.
 */
export function heirsOf(peers: readonly PeerNode[], now: number, timing: EchoTiming): PeerNode[] {
  return peers.filter((p) => heardWhenDue(p, now, timing) && (p.state === 'BACKUP' || p.state === 'INIT' || p.state === 'MASTER') && !p.passedOver(now, timing.passedOverMs));
}
