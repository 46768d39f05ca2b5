import type { Container } from 'inversify';
import {
  FailoverNode,
  LOGGER_PORT,
  METRICS_PORT,
  PEER_TRANSPORT_PORT,
  ReadinessReporter,
  isMultiAddress,
  settingsOfUnit,
  unitsOf,
  type AddressUnit,
  type LoggerPort,
  type MetricsPort,
  type NodeSettings,
  type NodeStatus,
  type PeerTransportPort,
  type SharedHealth,
  type ServiceManagerPort,
  type StateChange,
} from '../application/index.js';
import type { NodeState } from '../domain/index.js';
import { HttpStatusServer, PrometheusMetrics, preflight, requireIpv6Tools, type AddressToolChoice, type Toolkit } from '../infrastructure/index.js';
import { SHARED_HEALTH, createContainer, createUnitContainer, type ContainerOverrides } from './container.js';

export interface FloatipServiceOptions {
  readonly settings: NodeSettings;
  readonly overrides?: ContainerOverrides;
  readonly logger?: LoggerPort;
  /** Check platform, privileges and tools in the constructor (default true); false leaves that to first use. */
  readonly preflight?: boolean;
  /** Which program binds the address on Linux (default auto: ifconfig when on PATH, else ip). */
  readonly addressTool?: AddressToolChoice;
  /** Heartbeat signing keys (the first signs, all verify). */
  readonly auth?: { readonly secrets: readonly string[]; readonly maxClockSkewMs: number } | null;
  /** Where to serve /status and /metrics; null or absent: nowhere. */
  readonly status?: { readonly host: string; readonly port: number } | null;
  /** Told when start-up is over and of every state change (systemd's Type=notify); absent: nobody. */
  readonly serviceManager?: ServiceManagerPort;
}

/** The list form adds one row per address (or group); the top level is the first one's, as in the single form. */
export type ServiceStatus = NodeStatus & {
  readonly counters?: ReturnType<PrometheusMetrics['snapshot']>;
  readonly addresses?: readonly (NodeStatus & { readonly name: string })[];
};

/** A state change and the address (or group) it is about. */
export type AddressStateChange = StateChange & { readonly address: string };

interface UnitNode {
  readonly unit: AddressUnit;
  readonly node: FailoverNode;
}

/** The library's front door: one node of a floating-IP group, embedded in any Node service. */
export class FloatipService {
  readonly container: Container;
  /** The platform tools found by the preflight, when it ran. */
  readonly toolkit: Toolkit | undefined;
  /** By name, in the configuration's order: one for the single form. */
  private readonly units = new Map<string, UnitNode>();
  private readonly listeners = new Set<(change: AddressStateChange) => void>();
  private readonly reporter: ReadinessReporter | null;
  private readonly statusServer: HttpStatusServer | null = null;
  private readonly statusAt: { host: string; port: number } | null;
  private readonly multi: boolean;
  private running = false;

  constructor(options: FloatipServiceOptions) {
    let toolkit: Toolkit | undefined;
    if (options.preflight ?? true) {
      toolkit = preflight({ addressTool: options.addressTool ?? 'auto' });
      if (unitsOf(options.settings).some((u) => u.addresses.some((a) => a.family === 6))) requireIpv6Tools(toolkit);
    }
    this.toolkit = toolkit;
    const overrides: ContainerOverrides = { ...options.overrides };
    if (options.logger) overrides[LOGGER_PORT] = options.logger;
    this.container = createContainer({ settings: options.settings, overrides, auth: options.auth ?? null, ...(toolkit ? { toolkit } : {}) });
    this.multi = isMultiAddress(options.settings);
    this.reporter = options.serviceManager ? new ReadinessReporter(options.serviceManager, unitsOf(options.settings).map((u) => u.name)) : null;
    for (const unit of unitsOf(options.settings)) this.add(options.settings, unit);
    this.statusAt = options.status ?? null;
    if (this.statusAt) {
      const metrics = this.metrics;
      this.statusServer = new HttpStatusServer(
        () => this.status(),
        async () =>
          metrics instanceof PrometheusMetrics
            ? { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }
            : { contentType: 'text/plain', body: '' },
      );
    }
  }

  /** The first address's state (the only one in the single form); see states() for every address. */
  get state(): NodeState {
    return this.first.node.state;
  }

  /** Each address's (or group's) state, by name. */
  states(): Record<string, NodeState> {
    return Object.fromEntries([...this.units].map(([name, u]) => [name, u.node.state]));
  }

  status(): ServiceStatus {
    const metrics = this.metrics;
    const counters = metrics instanceof PrometheusMetrics ? { counters: metrics.snapshot() } : {};
    if (!this.multi) return { ...this.first.node.status(), ...counters };
    const rows = [...this.units].map(([name, u]) => ({ name, ...u.node.status() }));
    return { ...rows[0]!, ...counters, addresses: rows };
  }

  /** Subscribe to every address's state changes; returns the unsubscribe function. */
  onStateChange(listener: (change: AddressStateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The status endpoint first: if its port is taken, the node never starts and nothing is touched. */
  async start(): Promise<void> {
    if (this.statusServer && this.statusAt) await this.statusServer.start(this.statusAt.host, this.statusAt.port);
    this.running = true;
    const started = await Promise.allSettled([...this.units.values()].map((u) => u.node.start()));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) return;
    // the transport is shared: if it could not start, none did; stop whatever did
    await this.stop('start failed').catch(() => undefined);
    throw failed.reason;
  }

  /**
   * Timers, priority, preemption, checks, witnesses and hooks, without dropping any address. In the list form an
   * address (or group) added starts, one removed hands over and releases, one whose addresses changed restarts;
   * the others keep running undisturbed.
   */
  async reconfigure(settings: NodeSettings): Promise<void> {
    if (!this.multi) {
      this.first.node.reconfigure(settings);
    } else {
      const next = new Map(unitsOf(settings).map((u) => [u.name, u]));
      const gone = [...this.units.values()].filter((u) => !sameAddresses(u.unit, next.get(u.unit.name)));
      await Promise.all(gone.map((u) => this.remove(u.unit.name, next.has(u.unit.name) ? 'reload: its addresses changed; restarting it' : 'reload: no longer configured here')));
      // after the removed addresses said goodbye, before the added ones speak: the transport runs the new list
      this.container.get<PeerTransportPort>(PEER_TRANSPORT_PORT).reconfigure?.(settings);
      this.container.get<SharedHealth>(SHARED_HEALTH).reconfigure(settings);
      for (const unit of next.values()) {
        const kept = this.units.get(unit.name);
        if (kept) kept.node.reconfigure(settingsOfUnit(settings, unit));
        else {
          const added = this.add(settings, unit);
          if (this.running) await added.node.start();
        }
      }
    }
    this.metrics.configReload(true);
  }

  /** A reload that was refused (an invalid file, or one that disables the node): the running settings stay. */
  reloadFailed(): void {
    this.metrics.configReload(false);
  }

  /** Every master hands its address over to the best backup, then releases it; the addresses stop together. */
  async stop(reason?: string): Promise<void> {
    this.running = false;
    await Promise.all([...this.units.values()].map((u) => u.node.stop(reason)));
    await this.statusServer?.stop();
  }

  private get first(): UnitNode {
    return this.units.values().next().value!;
  }

  private get metrics(): MetricsPort {
    return this.container.get<MetricsPort>(METRICS_PORT);
  }

  private add(settings: NodeSettings, unit: AddressUnit): UnitNode {
    const node = this.multi ? createUnitContainer(this.container, settings, unit).get(FailoverNode) : this.container.get(FailoverNode);
    node.onStateChange((change) => {
      this.reporter?.stateChanged(change, unit.name);
      for (const listener of this.listeners) listener({ ...change, address: unit.name });
    });
    const entry = { unit, node };
    this.units.set(unit.name, entry);
    return entry;
  }

  private async remove(name: string, reason: string): Promise<void> {
    const entry = this.units.get(name);
    if (!entry) return;
    this.units.delete(name);
    await entry.node.stop(reason);
    this.reporter?.forget(name);
    const metrics = this.metrics;
    if (metrics instanceof PrometheusMetrics) metrics.forgetAddress(name);
  }
}

/** Whether a unit kept its name and exactly its addresses (prefixes and labels too): else it restarts. */
function sameAddresses(a: AddressUnit, b: AddressUnit | undefined): boolean {
  if (!b || a.addresses.length !== b.addresses.length) return false;
  return a.addresses.every((x, i) => {
    const y = b.addresses[i]!;
    return x.cidr === y.cidr && x.label === y.label && x.interfaceName === y.interfaceName;
  });
}
