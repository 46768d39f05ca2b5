import { heirsOf, tickSpeaks } from '../rules/heartbeat-cadence.js';
import { evaluate, release } from './evaluate.js';
import { onHostDeadline, stopHostWatch, syncHostWatch } from './host-watch.js';
import {
  armExpiry,
  armGoneCheck,
  backupOnLeaseExpiring,
  followerOnHeartbeat,
  leaseDeadline,
  masterOnHeartbeat,
  onLeaseExpired,
  onPeerLost,
  othersOnLeaseExpiring,
} from './heartbeat.handlers.js';
import type { Effect, MachineEvent, StepInputs } from './machine-io.js';
import { isHalted, type MachineState } from './machine-state.js';
import { noteRelease, onGuardFired, onQuorumKey, onQuorumResigned, syncQuorum } from './quorum-gate.js';
import { lookAtClaim, onBindDone, onClaimChecked, onOperationFailed, onReleased, onRivalChecked } from './takeover.js';
import { announce, cadenceOf, heartbeatOf, scheduleTick, sendHeartbeat, transition, Turn } from './turn.js';

/** The events a running node reacts to by state; the lease's deadline is read as 'lease-expiring' or 'lease-expired'. */
type RunningState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';
type Reaction<E> = (t: Turn, e: E) => void;
type EventOf<K extends MachineEvent['kind']> = Extract<MachineEvent, { kind: K }>;

interface StateHandlers {
  readonly heartbeat: Reaction<EventOf<'heartbeat'>>;
  readonly leaseExpiring: (t: Turn) => void;
  readonly leaseExpired: (t: Turn) => void;
  readonly tick: (t: Turn) => void;
}

/**
 * Runs from the tick deadline or from the start. The master (and a starting node, to be counted in the election)
 * speaks every interval. A backup's heartbeats only need to keep it alive in its peers' eyes, so it speaks once per
 * quiet period: with many nodes, that is most of the traffic saved. State changes still go out at once.
 */
function onTick(t: Turn): void {
  if (tickSpeaks(cadenceOf(t), t.now, t.s.lastSentAt, t.timing)) sendHeartbeat(t);
  if (t.s.role === 'INIT') preProbeListenEnd(t);
  evaluate(t);
  scheduleTick(t);
}

/**
 * A starting node that has heard no master probes the address once, shortly before its listen window ends, as a
 * backup does before a lease runs out: if it is elected then, it binds without a probe of its own.
 */
function preProbeListenEnd(t: Turn): void {
  const { s } = t;
  const left = t.timing.listenWindowMs - (t.now - s.startedAt);
  if (s.lease || s.preProbeAt !== null || left <= 0 || left > t.timing.probeLeadMs) return;
  s.preProbeAt = t.now;
  t.emit({ kind: 'pre-probe' });
}

const heartbeatOfFollower: Reaction<EventOf<'heartbeat'>> = (t, e) => followerOnHeartbeat(t, e.message, e.trusted);

/** One row per state: which handler meets which event (keepalived's vrrp_state_*; raft's stepFollower/stepLeader). */
const HANDLERS: Record<RunningState, StateHandlers> = {
  INIT: { heartbeat: heartbeatOfFollower, leaseExpiring: othersOnLeaseExpiring, leaseExpired: onLeaseExpired, tick: onTick },
  BACKUP: { heartbeat: heartbeatOfFollower, leaseExpiring: backupOnLeaseExpiring, leaseExpired: onLeaseExpired, tick: onTick },
  MASTER: { heartbeat: (t, e) => masterOnHeartbeat(t, e.message, e.trusted), leaseExpiring: othersOnLeaseExpiring, leaseExpired: onLeaseExpired, tick: onTick },
  FAULT: { heartbeat: heartbeatOfFollower, leaseExpiring: othersOnLeaseExpiring, leaseExpired: onLeaseExpired, tick: onTick },
};

/**
 * One address's failover rules: the state and one event in, the effects out, in the order the driver runs them.
 * Pure: no clock, no I/O; `now` and the node's health come in `at`. The state is updated in place.
 */
export function step(state: MachineState, event: MachineEvent, at: StepInputs): Effect[] {
  const t = new Turn(state, at.now, at.health, at.hostAnsweredAt ?? null);
  switch (event.kind) {
    case 'start':
      onStart(t);
      break;
    case 'stop':
      onStop(t, event.reason);
      break;
    // also while stopped: a later start runs on the new settings
    case 'reconfigured':
      // the host probe starts again on the new settings, if they keep it
      stopHostWatch(t);
      state.config = event.config;
      t.metric({ kind: 'state', state: state.role, priority: t.priority });
      evaluate(t);
      break;
    case 'stop-released':
      onStopReleased(t, event.removed, event.error);
      break;
    case 'stopped':
      onStopped(t, event.told);
      break;
    // what an operation the machine started came to: it ends the operation even while the node stops
    case 'bind-done':
      onBindDone(t, event.result);
      break;
    case 'released':
      noteRelease(state, event.tookMs);
      onReleased(t, event.purpose, event.removed);
      break;
    // also while stopping: a campaign's answer ends it
    case 'quorum-key':
      onQuorumKey(t, event.key, event.campaigned === true);
      break;
    case 'quorum-resigned':
      onQuorumResigned(t, event.error);
      break;
    case 'guard-fired':
      onGuardFired(t);
      break;
    case 'operation-failed':
      onOperationFailed(t, event.error, event.purpose);
      break;
    case 'holder-checked':
      if (event.purpose === 'rival') onRivalChecked(t, event.claimant, event.verdict);
      else onClaimChecked(t, event.claimant, event.verdict);
      break;
    default:
      if (!isHalted(state)) stepRunning(t, state.role as RunningState, event);
  }
  syncHostWatch(t);
  syncQuorum(t);
  return t.out;
}

function stepRunning(t: Turn, role: RunningState, event: MachineEvent): void {
  const handlers = HANDLERS[role];
  switch (event.kind) {
    case 'heartbeat':
      handlers.heartbeat(t, event);
      return;
    case 'peer-lost':
      onPeerLost(t, event.id, event.detail);
      return;
    case 'wake':
    case 'health-changed':
      evaluate(t);
      return;
    case 'timer':
      onDeadline(t, handlers, event.name);
      return;
  }
}

function onDeadline(t: Turn, handlers: StateHandlers, name: EventOf<'timer'>['name']): void {
  t.s.deadlines.delete(name);
  switch (name) {
    case 'tick':
      handlers.tick(t);
      return;
    case 'expiry': {
      const due = leaseDeadline(t);
      if (due === 'expired') handlers.leaseExpired(t);
      else if (due === 'expiring') handlers.leaseExpiring(t);
      // renewed since it was set: the deadline moves with the lease
      else armExpiry(t);
      return;
    }
    case 'reannounce':
      // late, from a stall: a newer master may have announced since, and this one would pull its clients back
      if (t.s.role === 'MASTER' && t.now - t.s.reannounceAt <= t.timing.lateDeadlineMs) announce(t);
      return;
    case 'recheck':
      evaluate(t);
      return;
    case 'claim':
      lookAtClaim(t);
      return;
    case 'host':
      onHostDeadline(t);
      return;
    case 'fence':
      evaluate(t);
      return;
    case 'gone':
      evaluate(t);
      // a timer that fired a little early (the clock rounds) leaves the confirmation pending: it is armed again
      armGoneCheck(t);
      return;
  }
}

function onStart(t: Turn): void {
  const { s } = t;
  if (s.role !== 'STOPPED') return;
  s.startedAt = t.now;
  s.preProbeAt = null;
  transition(t, 'INIT', `starting; listening ${t.timing.listenWindowMs} ms for a live master`, 'start');
  t.emit({ kind: 'start-health' });
  t.clearTimer('tick');
  onTick(t);
  // A node that starts holds nothing: an address still bound is an earlier run's, whose host crashed with its
  // release guard, and a newer master may hold it now. If this node is to hold it, it binds it again.
  release(t, { kind: 'stale' });
}

/** Graceful stop, first part: no more work is started; the driver waits for the operation running, then releases. */
function onStop(t: Turn, reason: string): void {
  const { s } = t;
  if (isHalted(s)) return;
  t.clearTimers();
  s.quorum.fenceArmedAt = null;
  s.stopping = { from: s.role, released: true, reason };
  s.role = 'STOPPING';
  s.askAgain = false;
  s.claimCheck = null;
  t.emit({ kind: 'stop-health' });
}

function onStopReleased(t: Turn, removed: boolean, error?: string): void {
  const { s } = t;
  if (s.role !== 'STOPPING' || !s.stopping) return;
  const ip = s.config.address.toString();
  if (error !== undefined) {
    s.stopping.released = false;
    t.log('error', `could not release ${ip} while stopping: ${error}`);
  } else if (removed) t.log('info', `released ${ip}`);
  t.emit({ kind: 'goodbye', message: heartbeatOf(t) });
}

/** Graceful stop, last part: a master that released the address and told its peers handed it over. */
function onStopped(t: Turn, told: boolean): void {
  const { s } = t;
  const stopping = s.stopping;
  if (s.role !== 'STOPPING' || !stopping) return;
  s.stopping = null;
  s.role = stopping.from;
  const wasMaster: boolean = stopping.from === 'MASTER';
  transition(t, 'STOPPED', wasMaster ? `${stopping.reason}; ${handoverNote(t, stopping.released, told)}` : stopping.reason, 'stop');
}

/**
 * What a stopping master did with the address: it was handed over only to a peer that can take it (not FAULT, not
 * passed over) and was heard when its last heartbeat was due.
 */
function handoverNote(t: Turn, released: boolean, told: boolean): string {
  if (!released) return 'could not release the address';
  if (heirsOf(t.s.peers.values(), t.now, t.timing).length === 0) return 'released the address with no peer to take it over';
  if (!told) return 'released the address, but could not tell the peers: they take it over at the timeout';
  return 'handed the address over to the peers';
}
