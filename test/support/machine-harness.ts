import {
  EchoTiming,
  PeerHeartbeatElection,
  initialState,
  step,
  type Effect,
  type HealthSnapshot,
  type MachineConfig,
  type MachineEvent,
  type MachineState,
  type TimerName,
} from '../../src/domain/index.js';
import { aSettings } from './builders.js';

export const HEALTHY: HealthSnapshot = { penalty: 0, fatal: null, witnessOkAt: null };

/** A machine config from aSettings(): the peer-heartbeat election, no MACs to check claims with unless asked. */
export function aMachineConfig(over: Parameters<typeof aSettings>[0] & { resolvesMacs?: boolean; hostTimeoutMs?: number } = {}): MachineConfig {
  const s = aSettings(over);
  return {
    address: s.address,
    localIp: s.localIp,
    priority: s.priority,
    preempt: s.preempt,
    timing: EchoTiming.create({ intervalMs: s.echo.intervalMs, timeoutMs: s.echo.timeoutMs, probeDeadlineMs: 250, hostTimeoutMs: over.hostTimeoutMs ?? null }),
    witnesses: s.witnesses,
    resolvesMacs: over.resolvesMacs ?? false,
    election: new PeerHeartbeatElection(),
    quorum: null,
  };
}

/**
 * One machine stepped by hand in virtual time, with the deadlines it set kept as a driver would keep them, so a test
 * reads as the events of a scenario: `m.at(100).step(...)`, `m.fire('expiry')`.
 */
export class MachineHarness {
  readonly state: MachineState;
  now = 0;
  health: HealthSnapshot = HEALTHY;
  /** when the watched host last answered, as the driver reads it from its host probe */
  hostAnsweredAt: number | null = null;
  private readonly due = new Map<TimerName, number>();

  constructor(config: MachineConfig = aMachineConfig()) {
    this.state = initialState(config);
  }

  at(now: number): this {
    this.now = now;
    return this;
  }

  step(event: MachineEvent): Effect[] {
    const out = step(this.state, event, { now: this.now, health: this.health, hostAnsweredAt: this.hostAnsweredAt });
    for (const e of out) {
      if (e.kind === 'set-timer') this.due.set(e.name, this.now + e.ms);
      else if (e.kind === 'clear-timer') this.due.delete(e.name);
      else if (e.kind === 'clear-timers') this.due.clear();
    }
    return out;
  }

  /** Starts the machine at `now`, and ends the release of whatever an earlier run left bound (nothing, here). */
  start(now = 0): Effect[] {
    const out = this.at(now).step({ kind: 'start' });
    return [...out, ...this.step({ kind: 'released', purpose: { kind: 'stale' }, removed: false })];
  }

  /** When the `name` deadline is due, or undefined where none is set. */
  dueAt(name: TimerName): number | undefined {
    return this.due.get(name);
  }

  /** Moves time to the `name` deadline and steps it. */
  fire(name: TimerName): Effect[] {
    const at = this.due.get(name);
    if (at === undefined) throw new Error(`no ${name} deadline is set`);
    this.due.delete(name);
    return this.at(at).step({ kind: 'timer', name });
  }
}

export function kinds(effects: readonly Effect[]): string[] {
  return effects.map((e) => e.kind);
}

export function only<K extends Effect['kind']>(effects: readonly Effect[], kind: K): Extract<Effect, { kind: K }>[] {
  return effects.filter((e): e is Extract<Effect, { kind: K }> => e.kind === kind);
}
