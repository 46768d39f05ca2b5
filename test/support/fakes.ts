import type {
  AddressTablePort,
  AnnouncerPort,
  CheckTarget,
  ConflictProbePort,
  HealthProbePort,
  HeartbeatOrigin,
  LogFields,
  LoggerPort,
  MetricsPort,
  NotifierPort,
  NotifyEvent,
  NotifyHooks,
  PeerLiveness,
  ProbeOutcome,
  PeerTransportPort,
  ProbeResult,
  ReleaseGuardPort,
  TransportListener,
} from '../../src/application/index.js';
import type { FloatingAddress, HeartbeatMessage, Ipv4Address, NodeState, TransitionCause } from '../../src/domain/index.js';

/** One layer-2 segment: who holds the floating address right now. */
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
}

export class FakeAddressTable implements AddressTablePort {
  readonly calls: string[] = [];
  failNextBind: Error | null = null;
  /** bind succeeds but the address does not show up when read back */
  bindSilentlyFails = false;

  constructor(
    private readonly segment: FakeSegment,
    private readonly owner: string,
  ) {}

  get bound(): boolean {
    return this.segment.holders.has(this.owner);
  }

  async bind(address: FloatingAddress): Promise<void> {
    this.calls.push(`bind ${address.aliasName}`);
    if (this.failNextBind) {
      const err = this.failNextBind;
      this.failNextBind = null;
      throw err;
    }
    if (!this.bindSilentlyFails) this.segment.holders.add(this.owner);
  }

  async unbind(address: FloatingAddress): Promise<void> {
    this.calls.push(`unbind ${address.aliasName}`);
    this.segment.holders.delete(this.owner);
  }

  async holds(): Promise<boolean> {
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
  ) {}

  async probe(_address: unknown, deadlineMs?: number): Promise<ProbeResult> {
    this.probes++;
    this.deadlines.push(deadlineMs);
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

  async macOf(address: FloatingAddress, ip: Ipv4Address): Promise<string | null> {
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

export class FakeAnnouncer implements AnnouncerPort {
  readonly announcements: { address: string; count: number }[] = [];
  cancels = 0;
  cancel(): void {
    this.cancels++;
  }
  async announce(address: FloatingAddress, count: number): Promise<void> {
    this.announcements.push({ address: address.ip.toString(), count });
  }
  forgotten = 0;
  async forgetUnresolvedNeighbours(): Promise<void> {
    this.forgotten++;
  }
}

export class FakeReleaseGuard implements ReleaseGuardPort {
  armed = false;
  arms = 0;
  async arm(): Promise<void> {
    this.armed = true;
    this.arms++;
  }
  async disarm(): Promise<void> {
    this.armed = false;
  }
}

export class RecordingLogger implements LoggerPort {
  readonly lines: string[] = [];
  /** Each line with the structured fields it carried. */
  readonly entries: { level: string; message: string; fields: LogFields | undefined }[] = [];
  debug(m: string, fields?: LogFields): void {
    this.record('debug', m, fields);
  }
  info(m: string, fields?: LogFields): void {
    this.record('info', m, fields);
  }
  warn(m: string, fields?: LogFields): void {
    this.record('warn', m, fields);
  }
  error(m: string, fields?: LogFields): void {
    this.record('error', m, fields);
  }
  has(fragment: string): boolean {
    return this.lines.some((l) => l.includes(fragment));
  }
  /** The fields of the last line that contains `fragment`. */
  fieldsOf(fragment: string): LogFields | undefined {
    return [...this.entries].reverse().find((e) => e.message.includes(fragment))?.fields;
  }
  private record(level: string, message: string, fields: LogFields | undefined): void {
    this.lines.push(`${level} ${message}`);
    this.entries.push({ level, message, fields });
  }
}

/**
 * Connects the transports of several nodes in virtual time. A node can be partitioned away,
 * have its daemon killed (peers see the refused reconnect) or its host crash (silence).
 */
export class FakeNetwork {
  private readonly members = new Map<string, FakeTransport>();
  private readonly cut = new Set<string>();

  transportFor(id: string): FakeTransport {
    const t = new FakeTransport(id, this);
    this.members.set(id, t);
    return t;
  }

  deliver(from: string, msg: HeartbeatMessage): void {
    if (this.cut.has(from)) return;
    for (const [id, t] of this.members) if (id !== from && !this.cut.has(id)) t.receive(msg);
  }

  partition(id: string): void {
    this.cut.add(id);
  }

  heal(id: string): void {
    this.cut.delete(id);
  }

  /** kill -9 of the daemon on a live host: its peers' connections drop and the reconnect is refused. */
  killDaemon(id: string, peerId: Ipv4Address): void {
    this.members.get(id)?.detach();
    for (const [other, t] of this.members) if (other !== id && !this.cut.has(other)) t.lose(peerId);
  }

  /** The host vanished: no FIN, no refusal, only silence. */
  crashHost(id: string): void {
    this.members.get(id)?.detach();
  }
}

export class FakeTransport implements PeerTransportPort {
  readonly sent: HeartbeatMessage[] = [];
  private listener: TransportListener | null = null;
  started = false;
  /** Every send fails with this, as when the host's network is unreachable. */
  failSends: Error | null = null;

  constructor(
    private readonly id: string,
    private readonly network: FakeNetwork,
  ) {}

  async start(listener: TransportListener): Promise<void> {
    this.listener = listener;
    this.started = true;
  }

  async send(msg: HeartbeatMessage): Promise<void> {
    if (this.failSends) throw this.failSends;
    if (!this.listener) return;
    this.sent.push(msg);
    this.network.deliver(this.id, msg);
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

export class RecordingNotifier implements NotifierPort {
  readonly events: NotifyEvent[] = [];
  notify(event: NotifyEvent, _hooks: NotifyHooks): void {
    this.events.push(event);
  }
}

export class RecordingMetrics implements MetricsPort {
  readonly transitions: string[] = [];
  readonly rejected: string[] = [];
  sent = 0;
  received = 0;
  takeovers: number[] = [];
  lastState: NodeState | null = null;
  lastPriority = 0;
  state(state: NodeState, priority: number): void {
    this.lastState = state;
    this.lastPriority = priority;
  }
  transition(from: NodeState, to: NodeState, cause: TransitionCause): void {
    this.transitions.push(`${from}->${to}:${cause}`);
  }
  heartbeatSent(): void {
    this.sent++;
  }
  heartbeatReceived(): void {
    this.received++;
  }
  heartbeatRejected(reason: string): void {
    this.rejected.push(reason);
  }
  takeover(ms: number): void {
    this.takeovers.push(ms);
  }
  conflicts = 0;
  addressConflict(): void {
    this.conflicts++;
  }
  arpAnnounced(): void {}
  checkResult(): void {}
  private peerReader: (() => readonly PeerLiveness[]) | null = null;
  watchPeers(read: () => readonly PeerLiveness[]): void {
    this.peerReader = read;
  }
  /** The peers as a scrape would see them now. */
  peers(): readonly PeerLiveness[] {
    return this.peerReader?.() ?? [];
  }
  readonly reloads: boolean[] = [];
  configReload(successful: boolean): void {
    this.reloads.push(successful);
  }
}
