import assert from 'node:assert/strict';
import type { HeartbeatOrigin, PeerTransportPort, TransportListener } from '../../src/application/index.js';
import { heartbeatsIn, type HeartbeatMessage, type Ipv4Address } from '../../src/domain/index.js';
import type { HostReachability } from './fake-host-probe.js';
import type { FakeSegment } from './fake-segment.js';

/**
 * Connects the transports of several nodes in virtual time. A node can be partitioned away, have its daemon killed
 * (peers see the refused reconnect), its host crash (silence, and its address is gone from the segment) or stall
 * (silence, while its kernel still answers for the address it holds).
 */
export class FakeNetwork implements HostReachability {
  private readonly members = new Map<string, FakeTransport>();
  private readonly cut = new Set<string>();
  /** When each host stopped answering anyone: crashed, or cut off */
  private readonly silentSince = new Map<string, number>();

  constructor(
    /** The segment a crashed host drops off; without one, a crash is only silence. */
    private readonly segment: FakeSegment | null = null,
    /** Stamps each send, for tests about when nodes speak. */
    private readonly clock: { now(): number } | null = null,
  ) {}

  transportFor(id: string): FakeTransport {
    const t = new FakeTransport(id, this, this.clock);
    this.members.set(id, t);
    return t;
  }

  deliver(from: string, msg: HeartbeatMessage): void {
    if (this.cut.has(from)) return;
    for (const [id, t] of this.members) if (id !== from && !this.cut.has(id)) t.receive(msg);
  }

  partition(id: string): void {
    this.cut.add(id);
    this.fallSilent(id);
  }

  heal(id: string): void {
    this.cut.delete(id);
    if (this.segment?.hostUp(id) !== false) this.silentSince.delete(id);
  }

  hostAnsweredAt(from: string, host: string): number {
    const now = this.clock?.now() ?? 0;
    return Math.min(this.silentSince.get(host) ?? now, this.silentSince.get(from) ?? now);
  }

  private fallSilent(id: string): void {
    if (!this.silentSince.has(id)) this.silentSince.set(id, this.clock?.now() ?? 0);
  }

  /** kill -9 of the daemon on a live host: its peers' connections drop and the reconnect is refused. */
  killDaemon(id: string, peerId: Ipv4Address): void {
    this.members.get(id)?.detach();
    for (const [other, t] of this.members) if (other !== id && !this.cut.has(other)) t.lose(peerId);
  }

  /**
   * The host lost power: no FIN, no refusal, only silence; and a powered-off host answers no ARP, so the address it
   * held is gone from the segment too.
   */
  crashHost(id: string): void {
    this.members.get(id)?.detach();
    this.segment?.powerOff(id);
    this.fallSilent(id);
  }

  /** The daemon froze (SIGSTOP, a hung process) on a live host: silent, but the address it holds stays on the wire. */
  stallHost(id: string): void {
    this.members.get(id)?.detach();
  }
}

export class FakeTransport implements PeerTransportPort {
  readonly sent: HeartbeatMessage[] = [];
  /** Sends, each one frame (several addresses' heartbeats in one send are one frame). */
  frames = 0;
  /** When each of `sent` went out, where the network has a clock. */
  readonly sentAt: number[] = [];
  private listener: TransportListener | null = null;
  started = false;
  /** Every send fails with this, as when the host's network is unreachable. */
  failSends: Error | null = null;
  /** start() fails with this, as when another daemon holds the echo port. */
  failStart: Error | null = null;

  constructor(
    private readonly id: string,
    private readonly network: FakeNetwork,
    private readonly clock: { now(): number } | null = null,
  ) {}

  async start(listener: TransportListener): Promise<void> {
    if (this.failStart) throw this.failStart;
    this.listener = listener;
    this.started = true;
  }

  async send(content: HeartbeatMessage | readonly HeartbeatMessage[]): Promise<void> {
    if (this.failSends) throw this.failSends;
    if (!this.listener) return;
    this.frames++;
    for (const msg of heartbeatsIn(content)) {
      this.sent.push(msg);
      if (this.clock) this.sentAt.push(this.clock.now());
      this.network.deliver(this.id, msg);
    }
  }

  async stop(): Promise<void> {
    this.listener = null;
    this.started = false;
  }

  /** The fake network stands for the peers' own TCP connections unless a test says otherwise. */
  receive(msg: HeartbeatMessage, origin: HeartbeatOrigin = { via: 'tcp', signed: false }): void {
    this.listener?.onHeartbeat(msg, origin);
  }

  lose(peer: Ipv4Address): void {
    this.listener?.onPeerLost(peer, 'connection dropped and the echo port refused a new one');
  }

  detach(): void {
    this.listener = null;
  }

  /** The times of the sends after the first `mark` (a count of `sent` taken earlier). */
  sentAtSince(mark: number): number[] {
    assert.ok(this.clock, 'this fake network has no clock: give FakeNetwork one to stamp sends');
    return this.sentAt.slice(mark);
  }

  assertNothingSent(): void {
    assert.deepEqual(this.sent.map((m) => m.state), [], `${this.id} was to send nothing`);
  }
}
