import assert from 'node:assert/strict';
import type { HostProbePort } from '../../src/application/index.js';
import type { Ipv4Address } from '../../src/domain/index.js';

/** What the fake network knows of who still answers whom, in virtual time. */
export interface HostReachability {
  /** When `host` last answered a probe from `from`: now while it answers, else when it stopped. */
  hostAnsweredAt(from: string, host: string): number;
}

/** A host probe on the fake network: a watched host answers every probe while it is up and not cut off. */
export class FakeHostProbe implements HostProbePort {
  private readonly watched = new Map<string, { refs: number; intervalMs: number }>();

  constructor(
    private readonly self: string,
    private readonly network: HostReachability,
  ) {}

  watch(host: Ipv4Address, intervalMs: number): void {
    const w = this.watched.get(host.toString());
    if (w) w.refs++;
    else this.watched.set(host.toString(), { refs: 1, intervalMs });
  }

  unwatch(host: Ipv4Address): void {
    const w = this.watched.get(host.toString());
    if (w && --w.refs === 0) this.watched.delete(host.toString());
  }

  answeredAt(host: Ipv4Address): number | null {
    return this.watched.has(host.toString()) ? this.network.hostAnsweredAt(this.self, host.toString()) : null;
  }

  assertWatching(...hosts: string[]): void {
    assert.deepEqual([...this.watched.keys()].sort(), [...hosts].sort(), `hosts ${this.self} probes`);
  }
}
