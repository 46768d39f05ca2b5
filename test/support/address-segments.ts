import assert from 'node:assert/strict';
import type { AddressTablePort, ConflictProbePort, ProbeResult } from '../../src/application/index.js';
import type { FloatingAddress, IpAddress } from '../../src/domain/index.js';
import { FakeAddressTable, FakeConflictProbe, FakeSegment } from './fake-segment.js';

/** One fake segment per floating address, for nodes of several addresses: who holds which. */
export class AddressSegments {
  private readonly segments = new Map<string, FakeSegment>();

  of(ip: string | IpAddress): FakeSegment {
    const key = ip.toString();
    let s = this.segments.get(key);
    if (!s) {
      s = new FakeSegment();
      this.segments.set(key, s);
    }
    return s;
  }

  /** The host lost power: every address it held is gone from the wire. */
  powerOff(host: string): void {
    for (const s of this.segments.values()) s.powerOff(host);
  }

  /** Which host holds each address, by address. */
  holders(): Record<string, string[]> {
    return Object.fromEntries([...this.segments].map(([ip, s]) => [ip, [...s.holders].sort()]));
  }

  /** Exactly this host holds each of the addresses. */
  assertHeld(expected: Record<string, string>): void {
    const got = Object.fromEntries(Object.keys(expected).map((ip) => [ip, [...this.of(ip).holders].sort()]));
    assert.deepEqual(got, Object.fromEntries(Object.entries(expected).map(([ip, h]) => [ip, [h]])), 'holders of each address');
  }

  tableFor(host: string): AddressTablePort {
    return new PerAddress(host, (s, h) => new FakeAddressTable(s, h), this);
  }

  probeFor(host: string): ConflictProbePort {
    const probes = new Map<string, FakeConflictProbe>();
    const probe = (a: FloatingAddress): FakeConflictProbe => {
      let p = probes.get(a.ip.toString());
      if (!p) probes.set(a.ip.toString(), (p = new FakeConflictProbe(this.of(a.ip), host)));
      return p;
    };
    return {
      deadlineMs: 250,
      resolvesMacs: true,
      probe: (a: FloatingAddress, ms?: number): Promise<ProbeResult> => probe(a).probe(a, ms),
      macOf: (a: FloatingAddress, ip: IpAddress) => probe(a).macOf(a, ip),
    };
  }
}

/** An address table that keeps each address on its own segment. */
class PerAddress implements AddressTablePort {
  private readonly tables = new Map<string, FakeAddressTable>();

  constructor(
    private readonly host: string,
    private readonly make: (s: FakeSegment, host: string) => FakeAddressTable,
    private readonly segments: AddressSegments,
  ) {}

  private table(a: FloatingAddress): FakeAddressTable {
    let t = this.tables.get(a.ip.toString());
    if (!t) this.tables.set(a.ip.toString(), (t = this.make(this.segments.of(a.ip), this.host)));
    return t;
  }

  /** A powered-off host binds nothing: its timers still run in the shared virtual time, its NIC does not. */
  async bind(a: FloatingAddress): Promise<void> {
    if (!this.segments.of(a.ip).hostUp(this.host)) return;
    return this.table(a).bind(a);
  }

  unbind(a: FloatingAddress): Promise<void> {
    return this.table(a).unbind(a);
  }

  holds(a: FloatingAddress): Promise<boolean> {
    return this.table(a).holds();
  }
}
