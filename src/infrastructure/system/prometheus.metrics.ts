import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsPort, PeerLiveness } from '../../application/index.js';
import { MAX_PEERS, type NodeState, type QuorumKey, type TransitionCause } from '../../domain/index.js';
import { packageVersion } from './package-info.js';
import { processMetrics } from './process.metrics.js';

const STATES: NodeState[] = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOPPING', 'STOPPED'];
const QUORUM_STATES: QuorumKey['kind'][] = ['ours', 'free', 'held', 'unreachable'];
export interface PrometheusMetricsOptions {
  /** Wall-clock time in ms, for the reload timestamp (Date.now unless a test says otherwise). */
  readonly now?: () => number;
  /** The version in floatip_build_info (the package's unless a test says otherwise). */
  readonly version?: string;
  /** Several addresses (the list form): the per-address series carry an `address` label; see forAddress. */
  readonly perAddress?: boolean;
}

type Labels = Partial<Record<'address', string>>;

/** Prometheus metrics in a registry of this node's own (never the global one), for /metrics. */
export class PrometheusMetrics implements MetricsPort {
  readonly registry = new Registry();
  private readonly by: string[];
  private readonly stateGauge: Gauge;
  private readonly priorityGauge: Gauge;
  private readonly transitions: Counter;
  private readonly rejected = new Counter({ name: 'floatip_heartbeats_rejected_total', help: 'inputs dropped on the echo and multicast ports, by reason', labelNames: ['reason'], registers: [this.registry] });
  private readonly takeoverSeconds: Histogram;
  private readonly conflicts: Counter;
  private readonly arps: Counter;
  private readonly checks = new Gauge({ name: 'floatip_check_healthy', help: '1 while a health check passes', labelNames: ['check'], registers: [this.registry] });
  private readonly counts = { sent: 0, received: 0, rejected: {} as Record<string, number>, transitions: 0, takeovers: 0, arps: 0 };
  // Heartbeats are counted in plain numbers and read into Prometheus at scrape time: at 100 ms heartbeats the
  // hot path should not pay for label handling ten times a second.
  private readonly sent = this.counterOf('floatip_heartbeats_sent_total', 'heartbeats sent (each goes to every channel)', () => this.counts.sent);
  private readonly received = this.counterOf('floatip_heartbeats_received_total', 'heartbeats accepted from peers', () => this.counts.received);

  private readonly buildInfo = new Gauge({ name: 'floatip_build_info', help: 'the running floatip version; always 1', labelNames: ['version'], registers: [this.registry] });
  /** Each address's peer table, by address ('' for the one address of the single form). */
  private readonly peerReaders = new Map<string, () => readonly PeerLiveness[]>();
  private readonly peerUp: Gauge;
  private readonly reloadOk = new Gauge({ name: 'floatip_config_last_reload_successful', help: 'whether the last configuration reload was applied (1) or refused (0); 1 at start', registers: [this.registry] });
  private readonly reloadAt = new Gauge({
    name: 'floatip_config_last_reload_success_timestamp_seconds',
    help: 'when the configuration was last loaded (at start or by a reload), in seconds since the epoch',
    registers: [this.registry],
  });
  private readonly now: () => number;

  private readonly lastState = new Map<string, NodeState>();
  private readonly lastPriority = new Map<string, number>();
  private quorumGauge: Gauge | null = null;
  private readonly lastQuorum = new Map<string, string>();

  constructor(options: PrometheusMetricsOptions = {}) {
    this.now = options.now ?? Date.now;
    const by = (this.by = options.perAddress ? ['address'] : []);
    const registers = [this.registry];
    this.stateGauge = new Gauge({ name: 'floatip_state', help: '1 for the current state of this node', labelNames: [...by, 'state'], registers });
    this.priorityGauge = new Gauge({ name: 'floatip_effective_priority', help: 'configured priority less failing check weights', labelNames: by, registers });
    this.transitions = new Counter({ name: 'floatip_transitions_total', help: 'state changes by cause', labelNames: [...by, 'from', 'to', 'cause'], registers });
    this.takeoverSeconds = new Histogram({
      name: 'floatip_takeover_duration_seconds',
      help: 'from the decision to take over to the address bound and verified',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      labelNames: by,
      registers,
    });
    this.conflicts = new Counter({ name: 'floatip_address_conflicts_total', help: 'takeovers refused because another host answered for the address', labelNames: by, registers });
    this.arps = new Counter({ name: 'floatip_gratuitous_arp_sent_total', help: 'gratuitous ARP (or unsolicited NA) packets sent', labelNames: by, registers });
    // read from the nodes' peer tables at scrape time, so a forgotten peer leaves no series; bounded like the table
    const peerUp: Gauge = new Gauge({
      name: 'floatip_peer_up',
      help: '1 while a peer is heard within its timeout, 0 while it is silent, lost or stopping',
      labelNames: [...by, 'peer'],
      registers,
      collect: () => {
        peerUp.reset();
        for (const [address, read] of this.peerReaders) {
          for (const p of read().slice(0, MAX_PEERS)) peerUp.set({ ...this.labels(address), peer: p.peer }, p.up ? 1 : 0);
        }
      },
    });
    this.peerUp = peerUp;
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
  state(state: NodeState, effectivePriority: number, address = ''): void {
    const labels = this.labels(address);
    if (state !== this.lastState.get(address)) {
      for (const s of STATES) this.stateGauge.set({ ...labels, state: s }, s === state ? 1 : 0);
      this.lastState.set(address, state);
    }
    if (effectivePriority !== this.lastPriority.get(address)) {
      this.priorityGauge.set(labels, effectivePriority);
      this.lastPriority.set(address, effectivePriority);
    }
  }
  transition(from: NodeState, to: NodeState, cause: TransitionCause, address = ''): void {
    this.transitions.inc({ ...this.labels(address), from, to, cause });
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
  takeover(durationMs: number, address = ''): void {
    this.takeoverSeconds.observe(this.labels(address), durationMs / 1000);
    this.counts.takeovers++;
  }
  addressConflict(address = ''): void {
    this.conflicts.inc(this.labels(address));
  }
  arpAnnounced(packets: number, address = ''): void {
    this.arps.inc(this.labels(address), packets);
    this.counts.arps += packets;
  }
  checkResult(name: string, healthy: boolean): void {
    this.checks.set({ check: name }, healthy ? 1 : 0);
  }

  /** Made on first use: a node in the heartbeat mode shows no quorum series. */
  quorumKey(state: QuorumKey['kind'], address = ''): void {
    if (this.lastQuorum.get(address) === state) return;
    this.lastQuorum.set(address, state);
    this.quorumGauge ??= new Gauge({
      name: 'floatip_quorum_key',
      help: "quorum mode: 1 for what etcd last said of the address's key (ours, free, held by another node, unreachable)",
      labelNames: [...this.by, 'state'],
      registers: [this.registry],
    });
    for (const s of QUORUM_STATES) this.quorumGauge.set({ ...this.labels(address), state: s }, s === state ? 1 : 0);
  }

  watchPeers(read: () => readonly PeerLiveness[], address = ''): void {
    this.peerReaders.set(address, read);
  }

  /** One address's view (the list form): the same registry, its series labelled with the address. */
  forAddress(name: string): MetricsPort {
    return {
      state: (state, priority) => this.state(state, priority, name),
      transition: (from, to, cause) => this.transition(from, to, cause, name),
      heartbeatSent: () => this.heartbeatSent(),
      heartbeatReceived: () => this.heartbeatReceived(),
      heartbeatRejected: (reason) => this.heartbeatRejected(reason),
      takeover: (ms) => this.takeover(ms, name),
      addressConflict: () => this.addressConflict(name),
      arpAnnounced: (packets) => this.arpAnnounced(packets, name),
      checkResult: (check, healthy) => this.checkResult(check, healthy),
      watchPeers: (read) => this.watchPeers(read, name),
      configReload: (ok) => this.configReload(ok),
      quorumKey: (state) => this.quorumKey(state, name),
    };
  }

  /** An address no longer run (a reload removed it) leaves no state or peer series behind; counters keep their history. */
  forgetAddress(name: string): void {
    this.peerReaders.delete(name);
    this.lastState.delete(name);
    this.lastPriority.delete(name);
    this.lastQuorum.delete(name);
    if (!this.by.length) return;
    for (const state of QUORUM_STATES) this.quorumGauge?.remove({ address: name, state });
    for (const state of STATES) this.stateGauge.remove({ address: name, state });
    this.priorityGauge.remove({ address: name });
  }

  private labels(address: string): Labels {
    return this.by.length ? { address } : {};
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
