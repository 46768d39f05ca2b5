import 'reflect-metadata';
import { FailoverNode } from '../../src/application/index.js';
import type { NodeSettings, PeerTransportPort } from '../../src/application/index.js';
import type { NodeState } from '../../src/domain/index.js';
import { createContainer, type ContainerOverrides } from '../../src/interfaces/container.js';
import { QUORUM_PORT, type QuorumSettings } from '../../src/application/index.js';
import type { QuorumLossPolicy } from '../../src/domain/index.js';
import { FakeQuorumStore, type FakeQuorum } from './fake-quorum.js';
import { aSettings } from './builders.js';
import type { FakeClock } from './fake-clock.js';
import { FakeHostProbe } from './fake-host-probe.js';
import { overridesOf } from './fake-overrides.js';
import {
  FakeAddressTable,
  FakeAnnouncer,
  FakeConflictProbe,
  FakeHealthProbe,
  FakeNetwork,
  FakeReleaseGuard,
  FakeSegment,
  RecordingLogger,
  RecordingMetrics,
  RecordingNotifier,
  type FakeTransport,
} from './fakes.js';

export interface SimNode {
  readonly id: string;
  /** The settings the node was built with, for a test that reconfigures it. */
  readonly settings: NodeSettings;
  readonly node: FailoverNode;
  readonly table: FakeAddressTable;
  readonly probe: FakeConflictProbe;
  readonly announcer: FakeAnnouncer;
  readonly guard: FakeReleaseGuard;
  readonly transport: FakeTransport;
  readonly logger: RecordingLogger;
  readonly health: FakeHealthProbe;
  readonly notifier: RecordingNotifier;
  readonly metrics: RecordingMetrics;
  readonly hostProbe: FakeHostProbe;
}

/** A node's fakes, as SimCluster builds them. */
export type SimPorts = Omit<SimNode, 'id' | 'settings' | 'node'>;

/** Several nodes wired through real containers with every adapter swapped for a fake, in one virtual time. */
export class SimCluster {
  readonly segment = new FakeSegment();
  /** A crashed host drops off the segment with its address; a stalled one keeps it (FakeNetwork.stallHost). */
  readonly network: FakeNetwork;
  readonly nodes = new Map<string, SimNode>();

  /** Quorum mode: the fake etcd every node's session talks to; null: the heartbeat mode. */
  readonly store: FakeQuorumStore | null;
  readonly sessions = new Map<string, FakeQuorum>();

  constructor(
    readonly clock: FakeClock,
    private readonly defaults: { timeoutMs?: number; intervalMs?: number; hostTimeoutMs?: number; quorum?: SimQuorum } = {},
  ) {
    this.network = new FakeNetwork(this.segment, clock);
    this.store = defaults.quorum ? new FakeQuorumStore(clock, defaults.quorum.ttlMs ?? 3000) : null;
  }

  add(id: string, over: { priority?: number; preempt?: boolean } = {}, adjust: (s: NodeSettings) => NodeSettings = (s) => s): SimNode {
    const ports = this.fakesFor(id);
    const { quorum, ...echo } = this.defaults;
    const base = aSettings({ id, ...echo, ...over });
    const settings = adjust(quorum ? { ...base, quorum: quorumSettings(quorum) } : base);
    const container = createContainer({
      settings,
      overrides: { ...overridesOf({ ...ports, clock: this.clock, transport: this.transportPort(id, ports.transport) }), ...this.moreOverrides(id) },
    });
    const sim = { id, settings, node: container.get(FailoverNode), ...ports };
    this.nodes.set(id, sim);
    return sim;
  }

  /** The fakes a node is built with; a subclass may record through them (see TraceCluster). */
  protected fakesFor(id: string): SimPorts {
    return {
      table: new FakeAddressTable(this.segment, id),
      probe: new FakeConflictProbe(this.segment, id),
      announcer: new FakeAnnouncer(),
      guard: new FakeReleaseGuard(undefined, () => this.clock.now()),
      transport: this.network.transportFor(id),
      logger: new RecordingLogger(),
      health: new FakeHealthProbe(),
      notifier: new RecordingNotifier(),
      metrics: new RecordingMetrics(),
      hostProbe: new FakeHostProbe(id, this.network),
    };
  }

  /** Quorum mode: each node's session with the fake etcd (kept in `sessions`). */
  protected moreOverrides(id: string): ContainerOverrides {
    if (!this.store) return {};
    const session = this.store.client(id, this.quorumRecorder(id));
    this.sessions.set(id, session);
    return { [QUORUM_PORT]: session };
  }

  /** What a session does at the store, for a trace (see TraceCluster); null: not recorded. */
  protected quorumRecorder(_id: string): ((text: string) => void) | null {
    return null;
  }

  session(id: string): FakeQuorum {
    const s = this.sessions.get(id);
    if (!s) throw new Error(`no etcd session for ${id}: is the cluster in quorum mode?`);
    return s;
  }

  /** What the node's container gets as its transport: the fake itself, or something in front of it. */
  protected transportPort(_id: string, transport: FakeTransport): PeerTransportPort {
    return transport;
  }

  get(id: string): SimNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /**
   * Cuts `id` off for `ms`: neither side hears the other, and neither side's conflict probe sees the address the
   * other holds. Afterwards both copies are on the segment again, as after a real heal.
   */
  async partitionFor(id: string, ms: number): Promise<void> {
    this.network.partition(id);
    const shadow = [...this.segment.holders];
    this.segment.holders.clear();
    await this.clock.advance(ms);
    for (const h of shadow) this.segment.holders.add(h);
  }

  holders(): string[] {
    return [...this.segment.holders].sort();
  }

  masters(): string[] {
    return [...this.nodes.values()].filter((n) => n.node.state === 'MASTER').map((n) => n.id).sort();
  }

  states(): Record<string, NodeState> {
    return Object.fromEntries([...this.nodes.values()].map((n) => [n.id, n.node.state]));
  }
}

export interface SimQuorum {
  readonly ttlMs?: number;
  readonly onLoss?: QuorumLossPolicy;
}

function quorumSettings(q: SimQuorum): QuorumSettings {
  return {
    etcd: { endpoints: ['http://198.19.0.11:2379'], caFile: null, certFile: null, keyFile: null, username: null, password: null },
    leaseTtlMs: q.ttlMs ?? 3000,
    keyPrefix: '/floatip',
    onLoss: q.onLoss ?? 'release',
  };
}

/** Starts the named nodes of `cluster`, in order. */
export async function startAll(cluster: SimCluster, ...ids: string[]): Promise<void> {
  for (const id of ids) await cluster.get(id).node.start();
}
