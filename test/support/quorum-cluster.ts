import type { FakeClock } from './fake-clock.js';
import { SimCluster, type SimQuorum } from './cluster.js';
import type { FakeQuorumStore } from './fake-quorum.js';

export const QUORUM_KEY = '/floatip/198.18.0.100';

/** A SimCluster in quorum mode, stepped finely enough to see two holders if there ever are. */
export class QuorumCluster extends SimCluster {
  /** the most nodes that held the address at once, sampled at every step of run() */
  mostHolders = 0;

  constructor(clock: FakeClock, defaults: { timeoutMs?: number; intervalMs?: number } = {}, quorum: SimQuorum = {}) {
    super(clock, { ...defaults, quorum });
  }

  /** the fake etcd (always there in this cluster) */
  get etcd(): FakeQuorumStore {
    return this.store!;
  }

  /** Advances `ms` in steps of `stepMs`, noting after each the number of holders (never two, is the point). */
  async run(ms: number, stepMs = 10): Promise<void> {
    for (let t = 0; t < ms; t += stepMs) {
      await this.clock.advance(Math.min(stepMs, ms - t));
      this.mostHolders = Math.max(this.mostHolders, this.holders().length);
    }
  }

  /** Steps until `pred` holds: how long that took, or -1 if not within `ms`. */
  async until(pred: () => boolean, ms: number, stepMs = 10): Promise<number> {
    for (let t = 0; t <= ms; t += stepMs) {
      if (pred()) return t;
      await this.run(stepMs, stepMs);
    }
    return -1;
  }
}
