import type { Container } from 'inversify';
import {
  FailoverNode,
  LOGGER_PORT,
  METRICS_PORT,
  ReadinessReporter,
  type LoggerPort,
  type MetricsPort,
  type NodeSettings,
  type NodeStatus,
  type ServiceManagerPort,
  type StateChange,
} from '../application/index.js';
import type { NodeState } from '../domain/index.js';
import { HttpStatusServer, PrometheusMetrics, preflight, type AddressToolChoice, type Toolkit } from '../infrastructure/index.js';
import { createContainer, type ContainerOverrides } from './container.js';

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

export type ServiceStatus = NodeStatus & { readonly counters?: ReturnType<PrometheusMetrics['snapshot']> };

/** The library's front door: one node of a floating-IP group, embedded in any Node service. */
export class FloatipService {
  readonly container: Container;
  /** The platform tools found by the preflight, when it ran. */
  readonly toolkit: Toolkit | undefined;
  private readonly node: FailoverNode;
  private readonly statusServer: HttpStatusServer | null = null;
  private readonly statusAt: { host: string; port: number } | null;

  constructor(options: FloatipServiceOptions) {
    let toolkit: Toolkit | undefined;
    if (options.preflight ?? true) toolkit = preflight({ addressTool: options.addressTool ?? 'auto' });
    this.toolkit = toolkit;
    const overrides: ContainerOverrides = { ...options.overrides };
    if (options.logger) overrides[LOGGER_PORT] = options.logger;
    this.container = createContainer({ settings: options.settings, overrides, auth: options.auth ?? null, ...(toolkit ? { toolkit } : {}) });
    this.node = this.container.get(FailoverNode);
    if (options.serviceManager) {
      const reporter = new ReadinessReporter(options.serviceManager, options.settings.address.ip.toString());
      this.node.onStateChange((change) => reporter.stateChanged(change));
    }
    this.statusAt = options.status ?? null;
    if (this.statusAt) {
      const metrics = this.container.get<MetricsPort>(METRICS_PORT);
      this.statusServer = new HttpStatusServer(
        () => this.status(),
        async () =>
          metrics instanceof PrometheusMetrics
            ? { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }
            : { contentType: 'text/plain', body: '' },
      );
    }
  }

  get state(): NodeState {
    return this.node.state;
  }

  status(): ServiceStatus {
    const metrics = this.container.get<MetricsPort>(METRICS_PORT);
    return metrics instanceof PrometheusMetrics ? { ...this.node.status(), counters: metrics.snapshot() } : this.node.status();
  }

  /** Subscribe to state changes; returns the unsubscribe function. */
  onStateChange(listener: (change: StateChange) => void): () => void {
    return this.node.onStateChange(listener);
  }

  /** The status endpoint first: if its port is taken, the node never starts and nothing is touched. */
  async start(): Promise<void> {
    if (this.statusServer && this.statusAt) await this.statusServer.start(this.statusAt.host, this.statusAt.port);
    try {
      await this.node.start();
    } catch (err) {
      await this.statusServer?.stop();
      throw err;
    }
  }

  /** Timers, priority, preemption, checks, witnesses and hooks, without dropping the address. */
  reconfigure(settings: NodeSettings): void {
    this.node.reconfigure(settings);
    this.container.get<MetricsPort>(METRICS_PORT).configReload(true);
  }

  /** A reload that was refused (an invalid file, or one that disables the node): the running settings stay. */
  reloadFailed(): void {
    this.container.get<MetricsPort>(METRICS_PORT).configReload(false);
  }

  /** A master hands the address over to the best backup, then releases it. */
  async stop(reason?: string): Promise<void> {
    await this.node.stop(reason);
    await this.statusServer?.stop();
  }
}
