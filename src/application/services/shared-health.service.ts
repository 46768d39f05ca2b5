import type { NodeSettings } from '../node-settings.js';
import type { CheckStatus, HealthMonitor } from './health-monitor.service.js';

/** What one node reads of the health checks and witnesses: the HealthMonitor itself, or its share of a common one. */
export interface NodeHealth {
  start(settings: NodeSettings, onChange: () => void): void;
  reconfigure(settings: NodeSettings): void;
  stop(): void;
  penalty(): number;
  fatal(): string | null;
  witnessOkAt(): number | null;
  results(): CheckStatus[];
}
export const NODE_HEALTH = Symbol.for('floatip.NodeHealth');

/**
 * One HealthMonitor for every address of a node: each check and witness runs once, whatever number of addresses
 * it weighs on, so they all see the same results. Each address reads its share (the checks attached to it). The
 * monitor runs while any address does.
 */
export class SharedHealth {
  private readonly running = new Map<UnitHealth, () => void>();

  constructor(
    private readonly monitor: HealthMonitor,
    private settings: NodeSettings,
  ) {}

  /** One address's share; what it weighs is the checks its own settings list. */
  view(): NodeHealth {
    return new UnitHealth(this, this.monitor);
  }

  /** The daemon's settings (every check, unfiltered) on a reload. */
  reconfigure(settings: NodeSettings): void {
    this.settings = settings;
    this.monitor.reconfigure(settings);
  }

  join(view: UnitHealth, onChange: () => void): void {
    const first = this.running.size === 0;
    this.running.set(view, onChange);
    if (first) this.monitor.start(this.settings, () => this.changed());
  }

  leave(view: UnitHealth): void {
    if (!this.running.delete(view)) return;
    if (this.running.size === 0) this.monitor.stop();
  }

  private changed(): void {
    for (const onChange of [...this.running.values()]) onChange();
  }
}

/** One address's share: the checks its settings name (settingsOfUnit filtered them), and the witnesses. */
class UnitHealth implements NodeHealth {
  private names: ReadonlySet<string> = new Set();

  constructor(
    private readonly shared: SharedHealth,
    private readonly monitor: HealthMonitor,
  ) {}

  start(settings: NodeSettings, onChange: () => void): void {
    this.reconfigure(settings);
    this.shared.join(this, onChange);
  }

  reconfigure(settings: NodeSettings): void {
    this.names = new Set(settings.checks.map((c) => c.name));
  }

  stop(): void {
    this.shared.leave(this);
  }

  penalty(): number {
    return this.monitor.penalty(this.names);
  }

  fatal(): string | null {
    return this.monitor.fatal(this.names);
  }

  witnessOkAt(): number | null {
    return this.monitor.witnessOkAt();
  }

  results(): CheckStatus[] {
    return this.monitor.results(this.names);
  }
}
