import { QUORUM_PORT, type NodeSettings } from '../../src/application/index.js';
import type { QuorumLossPolicy } from '../../src/domain/index.js';
import type { ContainerOverrides } from '../../src/interfaces/container.js';
import { SimCluster, type SimNode } from './cluster.js';
import type { FakeClock } from './fake-clock.js';
import { FakeQuorumStore, type FakeQuorum } from './fake-quorum.js';

export const QUORUM_KEY = '/floatip/198.18.0.100';

/** A SimCluster in quorum mode: every node's container gets a session with one fake etcd. */
export class QuorumCluster extends SimCluster {
  readonly store: FakeQuorumStore;
  readonly sessions = new Map<string, FakeQuorum>();
  /** the most nodes that held the address at once, sampled at every step of run() */
  mostHolders = 0;

  constructor(
    clock: FakeClock,
    defaults: { timeoutMs?: number; intervalMs?: number } = {},
    private readonly quorum: { ttlMs?: number; onLoss?: QuorumLossPolicy } = {},
  ) {
    super(clock, defaults);
    this.store = new FakeQuorumStore(clock, quorum.ttlMs ?? 3000);
  }

  override add(id: string, over: { priority?: number; preempt?: boolean } = {}, adjust: (s: NodeSettings) => NodeSettings = (s) => s): SimNode {
    return super.add(id, over, (s) =>
      adjust({
        ...s,
        quorum: {
          etcd: { endpoints: ['http://198.19.0.11:2379'], caFile: null, certFile: null, keyFile: null, username: null, password: null },
          leaseTtlMs: this.quorum.ttlMs ?? 3000,
          keyPrefix: '/floatip',
          onLoss: this.quorum.onLoss ?? 'release',
        },
      }),
    );
  }

  protected override moreOverrides(id: string): ContainerOverrides {
    const session = this.store.client(id);
    this.sessions.set(id, session);
    return { [QUORUM_PORT]: session };
  }

  session(id: string): FakeQuorum {
    const s = this.sessions.get(id);
    if (!s) throw new Error(`no session for ${id}`);
    return s;
  }

  /** Advances `ms` in steps of `stepMs`, noting after each the number of holders (never two, is the point). */
  async run(ms: number, stepMs = 10): Promise<void> {
    for (let t = 0; t < ms; t += stepMs) {
      await this.clock.advance(Math.min(stepMs, ms - t));
      this.mostHolders = Math.max(this.mostHolders, this.holders().length);
    }
  }

  /** The first moment (within `ms`, stepped) `id` holds the address alone, as ms from now; -1: never. */
  async until(pred: () => boolean, ms: number, stepMs = 10): Promise<number> {
    for (let t = 0; t <= ms; t += stepMs) {
      if (pred()) return t;
      await this.run(stepMs, stepMs);
    }
    return -1;
  }
}
