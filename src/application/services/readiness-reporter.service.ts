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

  constructor(
    private readonly manager: ServiceManagerPort,
    private readonly address: string,
  ) {}

  stateChanged(change: StateChange): void {
    if (change.to === 'INIT' || change.to === 'STOPPING' || change.to === 'STOPPED') return;
    const line = this.line(`${change.to} for ${this.address}: ${change.reason}`);
    if (this.isReady) return this.manager.status(line);
    this.isReady = true;
    this.manager.ready(line);
  }

  private line(text: string): string {
    const flat = text.replace(/\s+/g, ' ');
    return flat.length > STATUS_MAX ? `${flat.slice(0, STATUS_MAX - 1)}…` : flat;
  }
}
