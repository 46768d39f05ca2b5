import assert from 'node:assert/strict';
import type { AnnouncerPort, CheckTarget, HealthProbePort, ProbeOutcome, ReleaseGuardPort } from '../../src/application/index.js';
import type { FloatingAddress } from '../../src/domain/index.js';
import { CallJournal } from './call-journal.js';

export class FakeAnnouncer implements AnnouncerPort {
  readonly announcements: { address: string; count: number }[] = [];
  cancels = 0;
  /** The address each cancel named, or null for a cancel of every address's packets. */
  readonly cancelled: (string | null)[] = [];
  forgotten = 0;

  constructor(private readonly journal = new CallJournal()) {}

  cancel(address?: FloatingAddress): void {
    this.cancels++;
    this.cancelled.push(address ? address.ip.toString() : null);
    this.journal.record('announcer: cancel');
  }
  async announce(address: FloatingAddress, count: number): Promise<void> {
    this.announcements.push({ address: address.ip.toString(), count });
    this.journal.record(`announcer: announce ${address.ip.toString()} x${count}`);
  }
  async forgetUnresolvedNeighbours(): Promise<void> {
    this.forgotten++;
  }

  assertNothingAnnounced(): void {
    assert.deepEqual(this.announcements, [], 'no gratuitous ARP was to be sent');
  }
}

export class FakeReleaseGuard implements ReleaseGuardPort {
  armed = false;
  arms = 0;
  /** the deadline last given, on `now`'s clock; null: none */
  deadlineAt: number | null = null;

  constructor(
    private readonly journal = new CallJournal(),
    protected readonly now: () => number = () => 0,
  ) {}

  deadline(_address: FloatingAddress, inMs: number | null): void {
    this.deadlineAt = inMs === null ? null : this.now() + inMs;
  }

  private readonly listeners = new Set<(address: FloatingAddress) => void>();
  onFired(listener: (address: FloatingAddress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What the real guard does when its deadline passes unmoved: the address goes (the test removes it), and it says so. */
  fire(address: FloatingAddress): void {
    this.armed = false;
    this.deadlineAt = null;
    for (const listener of this.listeners) listener(address);
  }

  async arm(): Promise<void> {
    this.armed = true;
    this.arms++;
    this.journal.record('guard: arm');
  }
  async disarm(): Promise<void> {
    this.armed = false;
    this.deadlineAt = null;
    this.journal.record('guard: disarm');
  }

  assertArmed(): void {
    assert.ok(this.armed, 'the release guard is not armed');
  }
  assertDisarmed(): void {
    assert.ok(!this.armed, 'the release guard is still armed');
  }
  assertDeadlineAt(at: number | null): void {
    assert.equal(this.deadlineAt, at, 'the release guard deadline');
  }
}

/** Checks answer what the test says; witnesses are reachable unless the test cuts them off. */
export class FakeHealthProbe implements HealthProbePort {
  readonly results = new Map<string, ProbeOutcome>();
  witnessesReachable = true;
  checksRun = 0;

  set(name: string, ok: boolean, detail = ok ? 'ok' : 'down'): void {
    this.results.set(name, { ok, detail });
  }

  async check(target: CheckTarget): Promise<ProbeOutcome> {
    this.checksRun++;
    const key = target.kind === 'tcp' ? `${target.host}:${target.port}` : target.kind === 'http' ? target.url : target.argv.join(' ');
    return this.results.get(key) ?? { ok: true, detail: 'ok' };
  }

  async reachable(): Promise<boolean> {
    return this.witnessesReachable;
  }
}
