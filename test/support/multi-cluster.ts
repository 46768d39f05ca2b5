import type { AddressUnit, NodeSettings } from '../../src/application/index.js';
import type { ContainerOverrides } from '../../src/interfaces/container.js';
import { FloatipService } from '../../src/interfaces/floatip.service.js';
import { AddressSegments } from './address-segments.js';
import { aMultiSettings } from './builders.js';
import type { FakeClock } from './fake-clock.js';
import { overridesOf } from './fake-overrides.js';
import { FakeAnnouncer, FakeHealthProbe, FakeNetwork, FakeReleaseGuard, RecordingLogger, RecordingMetrics, RecordingNotifier, type FakeTransport } from './fakes.js';

export interface MultiNode {
  readonly id: string;
  readonly service: FloatipService;
  readonly transport: FakeTransport;
  readonly announcer: FakeAnnouncer;
  readonly logger: RecordingLogger;
  readonly health: FakeHealthProbe;
  readonly notifier: RecordingNotifier;
}

/** Nodes of several addresses (FloatipService in the list form) on fakes, in one virtual time. */
export class MultiCluster {
  readonly segments = new AddressSegments();
  readonly network: FakeNetwork;
  readonly nodes = new Map<string, MultiNode>();

  constructor(
    readonly clock: FakeClock,
    private readonly timing: { timeoutMs: number; intervalMs: number } = { timeoutMs: 3000, intervalMs: 1000 },
  ) {
    this.network = new FakeNetwork(null, clock);
  }

  /** more: ports beyond the fakes here (a quorum session, say). */
  add(id: string, units: readonly AddressUnit[], adjust: (s: NodeSettings) => NodeSettings = (s) => s, more: ContainerOverrides = {}): MultiNode {
    const settings = adjust(aMultiSettings(id, units, this.timing));
    const n = {
      id,
      transport: this.network.transportFor(id),
      announcer: new FakeAnnouncer(),
      logger: new RecordingLogger(),
      health: new FakeHealthProbe(),
      notifier: new RecordingNotifier(),
    };
    const service = new FloatipService({
      settings,
      preflight: false,
      overrides: {
        ...overridesOf({
          ...n,
          clock: this.clock,
          table: this.segments.tableFor(id),
          probe: this.segments.probeFor(id),
          guard: new FakeReleaseGuard(),
          metrics: new RecordingMetrics(),
        }),
        ...more,
      },
    });
    const node = { ...n, service };
    this.nodes.set(id, node);
    return node;
  }

  get(id: string): MultiNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** A graceful stop, while virtual time runs: the lanes' goodbyes go out in one frame a turn later. */
  async stop(id: string, ms = 200): Promise<void> {
    const stopping = this.get(id).service.stop('test');
    await this.clock.advance(ms);
    await stopping;
  }

  /** The host lost power: silence, and every address it held is gone from the wire. */
  crash(id: string): void {
    this.network.crashHost(id);
    this.segments.powerOff(id);
  }
}
