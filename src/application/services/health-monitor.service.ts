import { inject, injectable } from 'inversify';
import { HealthCheckState } from '../../domain/index.js';
import type { CheckSettings, NodeSettings } from '../node-settings.js';
import { CLOCK_PORT, type ClockPort, type TimerHandle } from '../ports/clock.port.js';
import { HEALTH_PROBE_PORT, type HealthProbePort } from '../ports/health-probe.port.js';
import { LOGGER_PORT, type LoggerPort } from '../ports/logger.port.js';
import { METRICS_PORT, type MetricsPort } from '../ports/metrics.port.js';
import { errorText } from '../errors.js';

export interface CheckStatus {
  readonly name: string;
  readonly healthy: boolean;
  readonly fatal: boolean;
  readonly weight: number;
  readonly detail: string;
}

interface RunningCheck {
  readonly spec: CheckSettings;
  readonly state: HealthCheckState;
  timer: TimerHandle | null;
  running: boolean;
}

/**
 * Runs the local checks and witness probes on their own timers and tells the state machine when the
 * debounced picture changes. A check that hangs is bounded by its timeout and never overlaps itself.
 */
@injectable()
export class HealthMonitor {
  private checks: RunningCheck[] = [];
  private witnessTimer: TimerHandle | null = null;
  private lastWitnessOk: number | null = null;
  private witnessesOk = false;
  private onChange: () => void = () => undefined;
  private settings: NodeSettings | null = null;
  private active = false;

  constructor(
    @inject(CLOCK_PORT) private readonly clock: ClockPort,
    @inject(HEALTH_PROBE_PORT) private readonly probe: HealthProbePort,
    @inject(LOGGER_PORT) private readonly logger: LoggerPort,
    @inject(METRICS_PORT) private readonly metrics: MetricsPort,
  ) {}

  start(settings: NodeSettings, onChange: () => void): void {
    this.onChange = onChange;
    this.active = true;
    this.apply(settings);
  }

  /** New checks start healthy; a check kept by name keeps its state. */
  reconfigure(settings: NodeSettings): void {
    if (this.active) this.apply(settings);
  }

  stop(): void {
    this.active = false;
    for (const c of this.checks) if (c.timer) this.clock.clearTimeout(c.timer);
    if (this.witnessTimer) this.clock.clearTimeout(this.witnessTimer);
    this.checks = [];
    this.witnessTimer = null;
    // started again (a reload that restarts every address), it counts as just heard, as at the first start
    this.lastWitnessOk = null;
  }

  /** How much the failing weighted checks take off the configured priority; `only`: of these checks (by name). */
  penalty(only?: ReadonlySet<string>): number {
    return this.of(only)
      .filter((c) => !c.state.healthy && !c.spec.fatal)
      .reduce((sum, c) => sum + c.spec.weight, 0);
  }

  /** The first failing fatal check, described, or null. */
  fatal(only?: ReadonlySet<string>): string | null {
    const failing = this.of(only).find((c) => c.spec.fatal && !c.state.healthy);
    return failing ? `check ${failing.spec.name} is failing: ${failing.state.detail}` : null;
  }

  /** When a witness last answered (start time until one has), or null when no witnesses are configured. */
  witnessOkAt(): number | null {
    return this.settings && this.settings.witnesses.length > 0 ? this.lastWitnessOk : null;
  }

  results(only?: ReadonlySet<string>): CheckStatus[] {
    return this.of(only).map((c) => ({ name: c.spec.name, healthy: c.state.healthy, fatal: c.spec.fatal, weight: c.spec.weight, detail: c.state.detail }));
  }

  private of(only: ReadonlySet<string> | undefined): RunningCheck[] {
    return only ? this.checks.filter((c) => only.has(c.spec.name)) : this.checks;
  }

  private apply(settings: NodeSettings): void {
    const previous = new Map(this.checks.map((c) => [c.spec.name, c]));
    for (const c of this.checks) if (c.timer) this.clock.clearTimeout(c.timer);
    this.checks = settings.checks.map((spec) => {
      const kept = previous.get(spec.name);
      const state = kept && kept.spec.fall === spec.fall && kept.spec.rise === spec.rise ? kept.state : new HealthCheckState(spec.fall, spec.rise);
      return { spec, state, timer: null, running: false };
    });
    for (const c of this.checks) this.schedule(c, 0);
    const hadWitnesses = (this.settings?.witnesses.length ?? 0) > 0;
    this.settings = settings;
    if (this.witnessTimer) this.clock.clearTimeout(this.witnessTimer);
    this.witnessTimer = null;
    if (settings.witnesses.length > 0) {
      // a fresh start counts as "just heard", so a node is not isolated before its first probe returns
      if (!hadWitnesses || this.lastWitnessOk === null) this.lastWitnessOk = this.clock.now();
      this.probeWitnesses();
    }
  }

  private schedule(c: RunningCheck, delay: number): void {
    c.timer = this.clock.setTimeout(() => void this.runCheck(c), delay);
  }

  private async runCheck(c: RunningCheck): Promise<void> {
    c.timer = null;
    if (!this.active || !this.checks.includes(c) || c.running) return;
    c.running = true;
    let outcome;
    try {
      outcome = await this.probe.check(c.spec.target, c.spec.timeoutMs);
    } catch (err) {
      outcome = { ok: false, detail: errorText(err) };
    }
    c.running = false;
    if (!this.active || !this.checks.includes(c)) return;
    const changed = c.state.record(outcome.ok, outcome.detail);
    this.metrics.checkResult(c.spec.name, c.state.healthy);
    if (changed) {
      const effect = c.spec.fatal ? 'fatal' : `weight ${c.spec.weight}`;
      this.logger.info(`check ${c.spec.name} is ${c.state.healthy ? 'healthy again' : 'failing'} (${effect}): ${outcome.detail}`);
      this.onChange();
    }
    this.schedule(c, c.spec.intervalMs);
  }

  private probeWitnesses(): void {
    this.witnessTimer = null;
    const s = this.settings;
    if (!this.active || !s || s.witnesses.length === 0) return;
    const timeout = Math.min(1000, Math.max(100, s.echo.intervalMs));
    void Promise.all(s.witnesses.map((w) => this.probe.reachable(w, timeout).catch(() => false))).then((answers) => {
      if (!this.active || this.settings !== s) return;
      const ok = answers.some(Boolean);
      if (ok) this.lastWitnessOk = this.clock.now();
      if (ok !== this.witnessesOk) {
        this.witnessesOk = ok;
        this.logger.info(ok ? 'a witness answers again' : `no witness answers (${s.witnesses.map((w) => w.toString()).join(', ')})`);
        this.onChange();
      }
      this.witnessTimer = this.clock.setTimeout(() => this.probeWitnesses(), Math.max(s.echo.intervalMs, timeout));
    });
  }
}
