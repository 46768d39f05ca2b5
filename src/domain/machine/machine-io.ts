import type { ElectionDecision } from '../election/election-strategy.js';
import type { HeartbeatMessage } from '../heartbeat-message.js';
import type { NodeState, TransitionCause } from '../node-state.js';
import type { ProbePlan } from '../rules/takeover-probe-plan.js';
import type { QuorumKey } from '../quorum/quorum-key.js';
import type { Ipv4Address } from '../value-objects/ipv4-address.js';
import type { MachineConfig } from './machine-state.js';

/** The machine's deadlines, one of each kind (keepalived keeps one per instance). */
export type TimerName = 'tick' | 'expiry' | 'reannounce' | 'recheck' | 'claim' | 'host' | 'fence' | 'gone';

export interface StateChange {
  readonly from: NodeState;
  readonly to: NodeState;
  readonly reason: string;
  readonly cause: TransitionCause;
  readonly at: number;
}

/** 'holds': the address answers ARP from the claimant's MAC. 'unverifiable': this platform cannot ask (no arping). */
export type HolderVerdict = { kind: 'holds'; mac: string } | { kind: 'not-held'; why: string } | { kind: 'unverifiable' };

export type BindResult =
  | { kind: 'bound'; alreadyBound: boolean; displaced?: string }
  | { kind: 'conflict'; evidence: string; mac?: string };

/** Why an address is released; the machine hears back with the same purpose. */
export type ReleasePurpose =
  | { kind: 'fault'; reason: string }
  | { kind: 'become-backup'; reason: string; cause: TransitionCause }
  | { kind: 'give-way'; reason: string; cause: TransitionCause }
  | { kind: 'cleanup' }
  /** at start: whatever an earlier run left bound (a crash took its release guard too) */
  | { kind: 'stale' };

/** Whose claim a check was for: a master this backup follows, or a rival this master would give way to. */
export type CheckPurpose = 'claim' | 'rival';

/** What happens to an address machine; `now` and the health of the node come with each (see StepInputs). */
export type MachineEvent =
  | { kind: 'start' }
  /** trusted: on the peer's own TCP connection, or signed */
  | { kind: 'heartbeat'; message: HeartbeatMessage; trusted: boolean }
  | { kind: 'peer-lost'; id: Ipv4Address; detail: string }
  | { kind: 'timer'; name: TimerName }
  /** a one-shot look again (wake-after) */
  | { kind: 'wake' }
  | { kind: 'health-changed' }
  | { kind: 'reconfigured'; config: MachineConfig }
  | { kind: 'bind-done'; result: BindResult }
  /** tookMs: how long the release ran (quorum mode: what the fence allows for) */
  | { kind: 'released'; purpose: ReleasePurpose; removed: boolean; tookMs?: number }
  /** quorum mode: what the store says of this address's key now; campaigned: the answer to this node's campaign */
  | { kind: 'quorum-key'; key: QuorumKey; campaigned?: boolean }
  /** quorum mode: the resign asked for was done, or the store did not answer (error) */
  | { kind: 'quorum-resigned'; error?: string }
  /** quorum mode: the release guard removed the address at its deadline (this daemon stood still past its fence) */
  | { kind: 'guard-fired' }
  /** a bind, a release or a check that threw */
  | { kind: 'operation-failed'; error: string; purpose?: ReleasePurpose }
  | { kind: 'holder-checked'; purpose: CheckPurpose; claimant: Ipv4Address; verdict: HolderVerdict | { kind: 'error'; error: string } }
  | { kind: 'stop'; reason: string }
  /** a stopping node's release of the address, done or failed */
  | { kind: 'stop-released'; removed: boolean; error?: string }
  /** told: the goodbye heartbeat went out */
  | { kind: 'stopped'; told: boolean };

export type Metric =
  | { kind: 'heartbeat-received' }
  | { kind: 'heartbeat-sent' }
  | { kind: 'address-conflict' }
  | { kind: 'arp-announced'; count: number }
  | { kind: 'takeover'; ms: number }
  | { kind: 'state'; state: NodeState; priority: number };

/** A line for the log. noise: the throttle a line caused by the network goes through, so a flood costs a bounded number. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly line: string;
  readonly noise?: 'peer messages' | 'announcements';
}

/** What the driver does for the machine, in order. Operations (bind, release, check) end in an event. */
export type Effect =
  | { kind: 'send'; message: HeartbeatMessage; everyChannel: boolean }
  /** a stopping node's last heartbeat: the driver waits for it before it closes the transport */
  | { kind: 'goodbye'; message: HeartbeatMessage }
  /** ifPreProbedFree: the plan to use instead when the pre-expiry probe (still running, maybe) finds the address free */
  | { kind: 'bind'; plan: ProbePlan; ifPreProbedFree?: ProbePlan }
  | { kind: 'release'; purpose: ReleasePurpose; afterMs?: number }
  | { kind: 'check-holder'; purpose: CheckPurpose; claimant: Ipv4Address }
  /** probe the address shortly before the master's lease runs out */
  | { kind: 'pre-probe' }
  /** probe this host at kernel level every intervalMs from now on (null: stop); its answers come in StepInputs */
  | { kind: 'watch-host'; host: Ipv4Address | null; intervalMs: number }
  | { kind: 'announce'; count: number }
  | { kind: 'cancel-announce' }
  | { kind: 'forget-neighbours' }
  /** quorum mode: create the key under this node's lease if absent (revoking `depose` first); the answer comes as quorum-key */
  | { kind: 'campaign'; depose?: string }
  /** quorum mode: delete the key, held under this node's lease, of an address this node no longer holds */
  | { kind: 'resign' }
  /**
   * quorum mode: the clock time by which the release guard removes the address itself if this daemon has not
   * released it (it stood still: SIGSTOP, a blocked event loop); null: no such deadline (on_quorum_loss: keep)
   */
  | { kind: 'guard-deadline'; at: number | null }
  | { kind: 'set-timer'; name: TimerName; ms: number }
  | { kind: 'clear-timer'; name: TimerName }
  | { kind: 'clear-timers' }
  | { kind: 'wake-after'; ms: number }
  | { kind: 'start-health' }
  | { kind: 'stop-health' }
  | { kind: 'transition'; change: StateChange; term: number; priority: number }
  | { kind: 'log'; log: LogLine }
  | { kind: 'metric'; metric: Metric };

/** What the machine reads of the node's health at each step, as it reads the time. */
export interface HealthSnapshot {
  /** the weights of failing checks */
  readonly penalty: number;
  /** why a fatal check fails, or null */
  readonly fatal: string | null;
  /** when a witness last answered; null: no witnesses configured */
  readonly witnessOkAt: number | null;
}

export interface StepInputs {
  readonly now: number;
  readonly health: HealthSnapshot;
  /** When the host last watched (watch-host) answered a probe; null or absent: not yet, or none watched. */
  readonly hostAnsweredAt?: number | null;
}

export type { ElectionDecision };
