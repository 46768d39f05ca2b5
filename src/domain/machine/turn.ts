import type { HeartbeatMessage } from '../heartbeat-message.js';
import type { NodeState, TransitionCause } from '../node-state.js';
import { isLonelyMaster, isTickless, tickPeriodMs, type CadenceView } from '../rules/heartbeat-cadence.js';
import type { EchoTiming } from '../timing/echo-timing.js';
import type { Effect, HealthSnapshot, LogLine, Metric, TimerName } from './machine-io.js';
import { isHalted, type MachineState } from './machine-state.js';

/**
 * One step of the machine: the state it updates, the moment and health it reads, and the effects it collects.
 * The helpers here are what several handlers do; each writes only to the state and the outbox.
 */
export class Turn {
  readonly out: Effect[] = [];

  constructor(
    readonly s: MachineState,
    readonly now: number,
    readonly health: HealthSnapshot,
    /** when the watched host last answered (see hostWatch) */
    readonly hostAnsweredAt: number | null = null,
  ) {}

  get timing(): EchoTiming {
    return this.s.config.timing;
  }

  /** The configured priority less the weights of failing checks, as it goes on the wire and into the election. */
  get priority(): number {
    return this.s.config.priority.lessPenalty(this.health.penalty).value;
  }

  emit(effect: Effect): void {
    this.out.push(effect);
  }

  log(level: LogLine['level'], line: string, noise?: LogLine['noise']): void {
    this.emit({ kind: 'log', log: noise ? { level, line, noise } : { level, line } });
  }

  metric(metric: Metric): void {
    this.emit({ kind: 'metric', metric });
  }

  setTimer(name: TimerName, ms: number): void {
    this.s.deadlines.add(name);
    this.emit({ kind: 'set-timer', name, ms });
  }

  clearTimer(name: TimerName): void {
    if (!this.s.deadlines.delete(name)) return;
    this.emit({ kind: 'clear-timer', name });
  }

  clearTimers(): void {
    this.s.deadlines.clear();
    this.emit({ kind: 'clear-timers' });
  }
}

export function heartbeatOf(t: Turn): HeartbeatMessage {
  const { s } = t;
  return {
    id: s.config.localIp,
    vip: s.config.address.ip,
    priority: t.priority,
    state: s.role === 'STOPPED' ? 'STOPPING' : s.role,
    term: s.term,
    preempt: s.config.preempt,
    seq: ++s.seq,
  };
}

export function sendHeartbeat(t: Turn, everyChannel = false): void {
  t.s.lastSentAt = t.now;
  t.metric({ kind: 'heartbeat-sent' });
  t.emit({ kind: 'send', message: heartbeatOf(t), everyChannel });
}

export function hearsMaster(t: Turn): boolean {
  return t.s.lease !== null && !t.s.lease.isExpired(t.now);
}

export function cadenceOf(t: Turn): CadenceView {
  return { state: t.s.role, hearsMaster: hearsMaster(t), inConflict: t.s.lastConflict !== '' };
}

/** Idempotent: an evaluation restarts a tick that stopped. No tick at all where isTickless says so. */
export function scheduleTick(t: Turn): void {
  const { s } = t;
  if (s.deadlines.has('tick') || isHalted(s)) return;
  const cadence = cadenceOf(t);
  if (isTickless(cadence, t.timing)) return;
  const lonely = isLonelyMaster(s.role, s.peers.values(), t.now, t.timing);
  t.setTimer('tick', tickPeriodMs(cadence, lonely, t.timing));
}

/** The tick comes again on the period of the current state. */
export function rescheduleTick(t: Turn): void {
  t.clearTimer('tick');
  scheduleTick(t);
}

export function announce(t: Turn): void {
  t.metric({ kind: 'arp-announced', count: 3 });
  t.emit({ kind: 'announce', count: 3 });
}

/**
 * Announces the address again, at most once an interval; `always`: once more even so, when a rival just let go
 * (until then its own ARP could pull clients back), itself at most once an interval, so a peer that flips between
 * MASTER and BACKUP cannot make this node announce at its pace.
 */
export function reassert(t: Turn, reason: string, always = false): void {
  const { s } = t;
  const every = t.timing.repeatAtMostMs;
  if (always ? t.now - s.lastForcedReassertAt < every : t.now - s.lastReassertAt < every) return;
  if (always) s.lastForcedReassertAt = t.now;
  s.lastReassertAt = t.now;
  // what peers say (or what is said in their name) can ask for this once an interval, for as long as they like
  t.log('info', `announcing ${s.config.address.ip.toString()} again: ${reason}`, 'announcements');
  announce(t);
}

/** At most once an interval: it runs a process, and what peers say asks for it. */
export function forgetNeighbours(t: Turn): void {
  if (t.now - t.s.lastForgetAt < t.timing.repeatAtMostMs) return;
  t.s.lastForgetAt = t.now;
  t.emit({ kind: 'forget-neighbours' });
}

export function transition(t: Turn, to: NodeState, reason: string, cause: TransitionCause): void {
  const { s } = t;
  const from = s.role;
  if (from === to) return;
  s.role = to;
  // Peers hear of the change first, not a quiet period later and not after the log line, hooks and listeners:
  // whoever reacts to those (an operator, a hook, a test killing this node) finds a state the peers already know.
  if (to === 'MASTER' || to === 'BACKUP' || to === 'FAULT') sendHeartbeat(t);
  // a backup's slow tick (or none) must not delay a new master's heartbeats
  if (from === 'BACKUP') rescheduleTick(t);
  else scheduleTick(t);
  t.emit({ kind: 'transition', change: { from, to, reason, cause, at: t.now }, term: s.term, priority: t.priority });
}
