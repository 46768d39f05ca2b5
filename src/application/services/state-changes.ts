import type { StateChange } from '../../domain/index.js';
import { errorText } from '../errors.js';
import { addressesOf, type NodeSettings } from '../node-settings.js';
import type { LoggerPort } from '../ports/logger.port.js';
import type { MetricsPort } from '../ports/metrics.port.js';
import type { NotifierPort } from '../ports/notifier.port.js';

/** Where one node's state changes go: the log line, the metrics, the hooks, and the listeners of an embedding service. */
export class StateChanges {
  private readonly listeners = new Set<(change: StateChange) => void>();
  last: StateChange | null = null;

  constructor(
    private readonly settings: () => NodeSettings,
    private readonly ports: { readonly logger: LoggerPort; readonly metrics: MetricsPort; readonly notifier: NotifierPort },
  ) {}

  listen(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  announce(change: StateChange, term: number, priority: number): void {
    const { from, to, reason, cause } = change;
    const { logger, metrics, notifier } = this.ports;
    const settings = this.settings();
    this.last = change;
    const { address } = settings;
    logger.info(`${from} -> ${to}: ${reason}`, { from, to, cause, term, address: address.ip.toString(), interface: address.interfaceName });
    metrics.transition(from, to, cause);
    metrics.state(to, priority);
    // a group's hooks run once per address: each hook call is about one address, as in the single form
    if (to === 'MASTER' || to === 'BACKUP' || to === 'FAULT' || to === 'STOPPED') {
      for (const a of addressesOf(settings)) notifier.notify({ state: to, address: a.ip.toString(), interfaceName: a.interfaceName, reason }, settings.hooks);
    }
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        logger.warn(`state listener threw: ${errorText(err)}`);
      }
    }
  }
}
