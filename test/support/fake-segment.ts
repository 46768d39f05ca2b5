import assert from 'node:assert/strict';
import type { AddressTablePort, ConflictProbePort, ProbeResult } from '../../src/application/index.js';
import type { FloatingAddress, IpAddress } from '../../src/domain/index.js';
import { CallJournal } from './call-journal.js';

/** One layer-2 segment: who holds the floating address right now, and which hosts are powered on. */
export class FakeSegment {
  readonly holders = new Set<string>();
  private readonly down = new Set<string>();

  /** A host's link-layer address, made from its name: the fake segment's ARP answers with it. */
  macOf(host: string): string {
    return `mac-of-${host}`;
  }

  hostUp(host: string): boolean {
    return !this.down.has(host);
  }

  /** The host is gone: it answers nothing, and the address it held goes with it. */
  powerOff(host: string): void {
    this.down.add(host);
    this.holders.delete(host);
  }

  /** Exactly these hosts hold the address, whatever the order. */
  assertHolders(...hosts: string[]): void {
    assert.deepEqual([...this.holders].sort(), [...hosts].sort(), 'holders of the floating address');
  }
}

export class FakeAddressTable implements AddressTablePort {
  readonly calls: string[] = [];
  failNextBind: Error | null = null;
  /** Every unbind fails with this (the address stays), as when the tool is broken. */
  failUnbind: Error | null = null;
  /** bind succeeds but the address does not show up when read back */
  bindSilentlyFails = false;

  constructor(
    private readonly segment: FakeSegment,
    private readonly owner: string,
    private readonly journal = new CallJournal(),
  ) {}

  get bound(): boolean {
    return this.segment.holders.has(this.owner);
  }

  assertBound(): void {
    assert.ok(this.bound, `${this.owner} does not hold the address (calls: ${this.calls.join(', ') || 'none'})`);
  }

  assertNotBound(): void {
    assert.ok(!this.bound, `${this.owner} still holds the address (calls: ${this.calls.join(', ') || 'none'})`);
  }

  /** Neither bind nor unbind was called. */
  assertUntouched(): void {
    assert.deepEqual(this.calls, [], 'the address table was not to be touched');
  }

  async bind(address: FloatingAddress): Promise<void> {
    this.calls.push(`bind ${address.aliasName}`);
    this.journal.record(`table: bind ${address.aliasName}`);
    if (this.failNextBind) {
      const err = this.failNextBind;
      this.failNextBind = null;
      throw err;
    }
    if (!this.bindSilentlyFails) this.segment.holders.add(this.owner);
  }

  async unbind(address: FloatingAddress): Promise<void> {
    this.calls.push(`unbind ${address.aliasName}`);
    this.journal.record(`table: unbind ${address.aliasName}`);
    if (this.failUnbind) throw this.failUnbind;
    this.segment.holders.delete(this.owner);
  }

  async holds(): Promise<boolean> {
    this.journal.record('table: holds');
    return this.bound;
  }
}

export class FakeConflictProbe implements ConflictProbePort {
  readonly deadlineMs = 250;
  probes = 0;
  readonly deadlines: (number | undefined)[] = [];
  constructor(
    private readonly segment: FakeSegment,
    private readonly owner: string,
    private readonly journal = new CallJournal(),
  ) {}

  async probe(_address: unknown, deadlineMs?: number): Promise<ProbeResult> {
    this.probes++;
    this.deadlines.push(deadlineMs);
    this.journal.record('probe: probe');
    const other = [...this.segment.holders].find((h) => h !== this.owner);
    return other ? { inUse: true, evidence: `ARP reply from ${this.segment.macOf(other)}`, mac: this.segment.macOf(other) } : { inUse: false };
  }

  readonly resolvesMacs = true;
  readonly macLookups: string[] = [];

  /** A host answers for its own address while it is up, and for the floating address while it holds it. */
  private lostReplies = 0;
  private failures = 0;

  /** The next `n` ARP look-ups fail (arping could not run), which is no answer either way. */
  failLookups(n: number): void {
    this.failures = n;
  }

  /** The next `n` ARP look-ups get no reply, as when a reply is lost on the wire. */
  loseReplies(n: number): void {
    this.lostReplies = n;
  }

  async macOf(address: FloatingAddress, ip: IpAddress): Promise<string | null> {
    this.macLookups.push(ip.toString());
    if (this.failures > 0) {
      this.failures--;
      throw new Error('arping: socket: Network is down');
    }
    if (this.lostReplies > 0) {
      this.lostReplies--;
      return null;
    }
    if (ip.equals(address.ip)) {
      const other = [...this.segment.holders].find((h) => h !== this.owner);
      return other ? this.segment.macOf(other) : null;
    }
    return this.segment.hostUp(ip.toString()) ? this.segment.macOf(ip.toString()) : null;
  }
}
