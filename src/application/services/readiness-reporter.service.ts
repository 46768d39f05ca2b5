import type { ServiceManagerPort } from '../ports/service-manager.port.js';
import type { StateChange } from './node-status.projection.js';

/** Longer status lines only clutter `systemctl status`. */
const STATUS_MAX = 200;

/**
 * Tells the service manager when start-up is over and what the node is doing. Start-up ends when the node
 * leaves INIT: it joined a master or lost the election (BACKUP), was elected (MASTER), or found its checks
 * failing (FAULT, where it waits for them). Before that the unit is "activating", so `systemctl start`
 * returns once the address has an owner.
 */
export class ReadinessReporter {
  private isReady = false;
  /** Several addresses: start-up ends when every one has left INIT; the status line sums them up. */
  private readonly states = new Map<string, string>();

  constructor(
    private readonly manager: ServiceManagerPort,
    addresses: string | readonly string[],
  ) {
    for (const a of typeof addresses === 'string' ? [addresses] : addresses) this.states.set(a, 'INIT');
  }

  stateChanged(change: StateChange, address = this.states.keys().next().value!): void {
    if (change.to === 'STOPPING' || change.to === 'STOPPED') return;
    this.states.set(address, change.to);
    if (change.to === 'INIT') return;
    const line = this.line(this.states.size === 1 ? `${change.to} for ${address}: ${change.reason}` : this.summary(`${address} ${change.to}: ${change.reason}`));
    if (this.isReady) return this.manager.status(line);
    if ([...this.states.values()].includes('INIT')) return;
    this.isReady = true;
    this.manager.ready(line);
  }

  /** An address removed by a reload no longer holds start-up back or shows in the line. */
  forget(address: string): void {
    this.states.delete(address);
    if (this.isReady || this.states.size === 0 || [...this.states.values()].includes('INIT')) return;
    this.isReady = true;
    this.manager.ready(this.line(this.summary(`${address} removed`)));
  }

  private summary(latest: string): string {
    const counts = new Map<string, number>();
    for (const s of this.states.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
    return `${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}; ${latest}`;
  }

  private line(text: string): string {
    const flat = text.replace(/\s+/g, ' ');
    return flat.length > STATUS_MAX ? `${flat.slice(0, STATUS_MAX - 1)}…` : flat;
  }
}
