import type { TimerName } from '../../domain/index.js';
import type { ClockPort, TimerHandle } from '../ports/clock.port.js';

/**
 * Every timer a node sets, through the clock port, so that a stop clears them all: one deadline per kind, and
 * short one-shot looks again. A deadline that fires is forgotten before its callback runs, so the callback may set
 * it again.
 */
export class NodeTimers {
  private readonly named = new Map<TimerName, TimerHandle>();
  private readonly oneShots = new Set<TimerHandle>();

  constructor(private readonly clock: ClockPort) {}

  isSet(name: TimerName): boolean {
    return this.named.has(name);
  }

  /** Sets the `name` deadline `ms` from now, replacing one already set. */
  set(name: TimerName, ms: number, fire: () => void): void {
    this.clear(name);
    const handle = this.clock.setTimeout(() => {
      this.named.delete(name);
      fire();
    }, ms);
    this.named.set(name, handle);
  }

  /** Sets the `name` deadline unless one is set already. */
  ensure(name: TimerName, ms: number, fire: () => void): void {
    if (!this.isSet(name)) this.set(name, ms, fire);
  }

  clear(name: TimerName): void {
    const handle = this.named.get(name);
    if (handle) this.clock.clearTimeout(handle);
    this.named.delete(name);
  }

  /** A one-shot look again `ms` from now; several may be pending. */
  after(ms: number, fire: () => void): void {
    const handle = this.clock.setTimeout(() => {
      this.oneShots.delete(handle);
      fire();
    }, ms);
    this.oneShots.add(handle);
  }

  clearAll(): void {
    for (const handle of [...this.named.values(), ...this.oneShots]) this.clock.clearTimeout(handle);
    this.named.clear();
    this.oneShots.clear();
  }
}
