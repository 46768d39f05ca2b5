import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsPort, PeerLiveness } from '../../application/index.js';
import { MAX_PEERS, type NodeState, type TransitionCause } from '../../domain/index.js';
import { packageVersion } from './package-info.js';
import { processMetrics } from './process.metrics.js';

const STATES: NodeState[] = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOPPING', 'STOPPED'];
export interface PrometheusMetricsOptions {
  /** Wall-clock time in ms, for the reload timestamp (Date.now unless a test says otherwise). */
  readonly now?: () => number;
  /** The version in floatip_build_info (the package's unless a test says otherwise). */
  readonly version?: string;
}

/** Prometheus metrics in a registry of this node's own (never the global one), for /metrics. */
export class PrometheusMetrics implements MetricsPort {
  readonly registry = new Registry();
  private readonly stateGauge = new Gauge({ name: 'floatip_state', help: '1 for the current state of this node', labelNames: ['state'], registers: [this.registry] });
  private readonly priorityGauge = new Gauge({ name: 'floatip_effective_priority', help: 'configured priority less failing check weights', registers: [this.registry] });
  private readonly transitions = new Counter({ name: 'floatip_transitions_total', help: 'state changes by cause', labelNames: ['from', 'to', 'cause'], registers: [this.registry] });
  private readonly rejected = new Counter({ name: 'floatip_heartbeats_rejected_total', help: 'inputs dropped on the echo and multicast ports, by reason', labelNames: ['reason'], registers: [this.registry] });
  private readonly takeoverSeconds = new Histogram({
    name: 'floatip_takeover_duration_seconds',
    help: 'from the decision to take over to the address bound and verified',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly conflicts = new Counter({ name: 'floatip_address_conflicts_total', help: 'takeovers refused because another host answered for the address', registers: [this.registry] });
  private readonly arps = new Counter({ name: 'floatip_gratuitous_arp_sent_total', help: 'gratuitous ARP packets sent', registers: [this.registry] });
  private readonly checks = new Gauge({ name: 'floatip_check_healthy', help: '1 while a health check passes', labelNames: ['check'], registers: [this.registry] });
  private readonly counts = { sent: 0, received: 0, rejected: {} as Record<string, number>, transitions: 0, takeovers: 0, arps: 0 };
  // Heartbeats are counted in plain numbers and read into Prometheus at scrape time: at 100 ms heartbeats the
  // hot path should not pay for label handling ten times a second.
  private readonly sent = this.counterOf('floatip_heartbeats_sent_total', 'heartbeats sent (each goes to every channel)', () => this.counts.sent);
  private readonly received = this.counterOf('floatip_heartbeats_received_total', 'heartbeats accepted from peers', () => this.counts.received);

  private readonly buildInfo = new Gauge({ name: 'floatip_build_info', help: 'the running floatip version; always 1', labelNames: ['version'], registers: [this.registry] });
  private peerReader: (() => readonly PeerLiveness[]) | null = null;
  // read from the node's peer table at scrape time, so a forgotten peer leaves no series; bounded like the table
  private readonly peerUp: Gauge = new Gauge({
    name: 'floatip_peer_up',
    help: '1 while a peer is heard within its timeout, 0 while it is silent, lost or stopping',
    labelNames: ['peer'],
    registers: [this.registry],
    collect: () => {
      this.peerUp.reset();
      for (const p of (this.peerReader?.() ?? []).slice(0, MAX_PEERS)) this.peerUp.set({ peer: p.peer }, p.up ? 1 : 0);
    },
  });
  private readonly reloadOk = new Gauge({ name: 'floatip_config_last_reload_successful', help: 'whether the last configuration reload was applied (1) or refused (0); 1 at start', registers: [this.registry] });
  private readonly reloadAt = new Gauge({
    name: 'floatip_config_last_reload_success_timestamp_seconds',
    help: 'when the configuration was last loaded (at start or by a reload), in seconds since the epoch',
    registers: [this.registry],
  });
  private readonly now: () => number;

  private lastState: NodeState | null = null;
  private lastPriority: number | null = null;

  constructor(options: PrometheusMetricsOptions = {}) {
    this.now = options.now ?? Date.now;
    this.buildInfo.set({ version: options.version ?? packageVersion() }, 1);
    // the node is built from a configuration that was just loaded
    this.configReload(true);
    const shared = processMetrics();
    for (const { name } of shared.getMetricsAsArray()) {
      const metric = shared.getSingleMetric(name);
      if (metric) this.registry.registerMetric(metric);
    }
  }

  /** Called on every evaluation: the gauges are touched only when something changed. */
  state(state: NodeState, effectivePriority: number): void {
    if (state !== this.lastState) {
      for (const s of STATES) this.stateGauge.set({ state: s }, s === state ? 1 : 0);
      this.lastState = state;
    }
    if (effectivePriority !== this.lastPriority) {
      this.priorityGauge.set(effectivePriority);
      this.lastPriority = effectivePriority;
    }
  }
  transition(from: NodeState, to: NodeState, cause: TransitionCause): void {
    this.transitions.inc({ from, to, cause });
    this.counts.transitions++;
  }
  heartbeatSent(): void {
    this.counts.sent++;
  }
  heartbeatReceived(): void {
    this.counts.received++;
  }
  heartbeatRejected(reason: string): void {
    this.rejected.inc({ reason });
    this.counts.rejected[reason] = (this.counts.rejected[reason] ?? 0) + 1;
  }
  takeover(durationMs: number): void {
    this.takeoverSeconds.observe(durationMs / 1000);
    this.counts.takeovers++;
  }
  addressConflict(): void {
    this.conflicts.inc();
  }
  arpAnnounced(packets: number): void {
    this.arps.inc(packets);
    this.counts.arps += packets;
  }
  checkResult(name: string, healthy: boolean): void {
    this.checks.set({ check: name }, healthy ? 1 : 0);
  }

  watchPeers(read: () => readonly PeerLiveness[]): void {
    this.peerReader = read;
  }
  configReload(successful: boolean): void {
    this.reloadOk.set(successful ? 1 : 0);
    if (successful) this.reloadAt.set(Math.floor(this.now() / 1000));
  }

  private counterOf(name: string, help: string, read: () => number): Counter {
    return new Counter({
      name,
      help,
      registers: [this.registry],
      collect(this: Counter) {
        this.reset();
        const n = read();
        if (n > 0) this.inc(n);
      },
    });
  }

  /** The counters for /status, without parsing Prometheus text. */
  snapshot(): { heartbeatsSent: number; heartbeatsReceived: number; heartbeatsRejected: Record<string, number>; transitions: number; takeovers: number; gratuitousArps: number } {
    const c = this.counts;
    return { heartbeatsSent: c.sent, heartbeatsReceived: c.received, heartbeatsRejected: { ...c.rejected }, transitions: c.transitions, takeovers: c.takeovers, gratuitousArps: c.arps };
  }
}
