import 'reflect-metadata';
import { type LogFields, type NotifyEvent, type NotifyHooks, type PeerTransportPort, type ProbeResult, type TransportListener } from '../../src/application/index.js';
import type { FloatingAddress, HeartbeatMessage, Ipv4Address } from '../../src/domain/index.js';
import { SimCluster, type SimNode, type SimPorts, type SimQuorum } from './cluster.js';
import type { FakeClock } from './fake-clock.js';
import { FakeHostProbe, type HostReachability } from './fake-host-probe.js';
import { FakeAddressTable, FakeAnnouncer, FakeConflictProbe, FakeHealthProbe, FakeReleaseGuard, RecordingLogger, RecordingMetrics, RecordingNotifier, type FakeSegment, type FakeTransport } from './fakes.js';

interface Entry {
  readonly at: number;
  /** a node's name, or '--' for a line of the scenario itself */
  readonly node: string;
  text: string;
}

/**
 * What every node did at its ports, in call order, stamped with virtual time. Heartbeats are noise unless what they
 * say changes: one that says what the node's last one said is only counted.
 */
export class TraceLog {
  private readonly entries: Entry[] = [];
  private readonly silenced = new Set<string>();
  private readonly lastSaid = new Map<string, string>();
  private unchanged = new Map<string, number>();
  private countedSince = 0;

  constructor(
    private readonly clock: FakeClock,
    private readonly base: number,
    /** IP on the wire -> node name, to make log lines readable */
    private readonly names: ReadonlyMap<string, string>,
  ) {}

  /** Calls the recorder made while `node` was silenced (a host gone, a daemon killed) are not what it did. */
  silence(node: string): void {
    this.silenced.add(node);
  }

  record(node: string, text: string): Entry {
    const entry = { at: this.clock.now() - this.base, node, text };
    if (!this.silenced.has(node)) this.entries.push(entry);
    return entry;
  }

  heartbeat(node: string, msg: HeartbeatMessage, everyChannel: boolean): void {
    if (this.silenced.has(node)) return;
    const says = `${msg.state} term ${msg.term} priority ${msg.priority}${msg.preempt ? ' preempt' : ''}`;
    if (!everyChannel && this.lastSaid.get(node) === says) {
      this.unchanged.set(node, (this.unchanged.get(node) ?? 0) + 1);
      return;
    }
    this.lastSaid.set(node, says);
    this.record(node, `hb ${says}${everyChannel ? ' (every channel)' : ''}`);
  }

  /** A scenario line, after a count of the unchanged heartbeats each node sent since the last one. */
  mark(text: string): void {
    this.flushCounts();
    this.record('--', text);
  }

  render(): string {
    this.flushCounts();
    const lines: string[] = [];
    let prev: Entry | undefined;
    for (const e of this.entries) {
      // a probe's entry gets its answer later, so names are put in here
      const text = this.readable(e.text);
      if (prev && prev.at === e.at && prev.node === e.node && e.node !== '--') lines[lines.length - 1] += ` | ${text}`;
      else lines.push(`t=${e.at} ${e.node} ${text}`);
      prev = e;
    }
    return lines.join('\n') + '\n';
  }

  private flushCounts(): void {
    const now = this.clock.now() - this.base;
    const counts = [...this.unchanged].filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
    if (counts.length > 0) this.record('--', `(unchanged heartbeats since t=${this.countedSince}: ${counts.map(([n, c]) => `${n} ${c}`).join(', ')})`);
    this.unchanged = new Map();
    this.countedSince = now;
  }

  private readable(text: string): string {
    return text.replace(/\b198\.18\.0\.\d+\b/g, (ip) => this.names.get(ip) ?? ip);
  }
}

/** The SimCluster, with every port a node calls recorded in one TraceLog. */
export class TraceCluster extends SimCluster {
  readonly trace: TraceLog;
  private readonly names = new Map<string, string>();

  constructor(clock: FakeClock, echo: { timeoutMs: number; intervalMs: number; hostTimeoutMs?: number; quorum?: SimQuorum }) {
    super(clock, echo);
    this.trace = new TraceLog(clock, clock.now(), this.names);
  }

  /** SimCluster.add under a name, with recording fakes (the SimNode keeps the plain transport). */
  addNamed(name: string, ip: string, over: { priority: number; preempt: boolean }): SimNode {
    this.names.set(ip, name);
    return this.add(ip, over);
  }

  protected override fakesFor(ip: string): SimPorts {
    const rec = this.recorderFor(ip);
    return {
      table: new TracingTable(this.segment, ip, rec),
      probe: new TracingProbe(this.segment, ip, rec),
      announcer: new TracingAnnouncer(rec),
      guard: new TracingGuard(rec, () => this.clock.now()),
      transport: this.network.transportFor(ip),
      logger: new TracingLogger(rec),
      health: new FakeHealthProbe(),
      notifier: new TracingNotifier(rec),
      metrics: new RecordingMetrics(),
      hostProbe: new TracingHostProbe(ip, this.network, rec),
    };
  }

  protected override quorumRecorder(ip: string): (text: string) => void {
    return this.recorderFor(ip);
  }

  protected override transportPort(ip: string, transport: FakeTransport): PeerTransportPort {
    const name = this.names.get(ip) ?? ip;
    return new TracingTransport(transport, (msg, every) => this.trace.heartbeat(name, msg, every));
  }

  private recorderFor(ip: string): Rec {
    const name = this.names.get(ip) ?? ip;
    return (text: string): Entry => this.trace.record(name, text);
  }
}

type Rec = (text: string) => Entry;

class TracingHostProbe extends FakeHostProbe {
  constructor(self: string, network: HostReachability, private readonly rec: Rec) {
    super(self, network);
  }
  override watch(host: Ipv4Address, intervalMs: number): void {
    this.rec(`watch host ${host.toString()} every ${intervalMs} ms`);
    super.watch(host, intervalMs);
  }
  override unwatch(host: Ipv4Address): void {
    this.rec(`unwatch host ${host.toString()}`);
    super.unwatch(host);
  }
}

// Each override hands back the fake's own promise: no extra await, so the order of events is the fakes' own.

class TracingTable extends FakeAddressTable {
  constructor(segment: FakeSegment, owner: string, private readonly rec: Rec) {
    super(segment, owner);
  }
  override bind(address: FloatingAddress): Promise<void> {
    this.rec(`bind ${address.ip.toString()}`);
    return super.bind(address);
  }
  override unbind(address: FloatingAddress): Promise<void> {
    this.rec(`release ${address.ip.toString()}`);
    return super.unbind(address);
  }
}

class TracingProbe extends FakeConflictProbe {
  constructor(segment: FakeSegment, owner: string, private readonly rec: Rec) {
    super(segment, owner);
  }
  override probe(address: FloatingAddress, deadlineMs?: number): Promise<ProbeResult> {
    const entry = this.rec(`probe${deadlineMs === undefined ? '' : ` (${deadlineMs} ms)`}`);
    const result = super.probe(address, deadlineMs);
    result.then(
      (r) => (entry.text += r.inUse ? `: in use (${r.evidence})` : ': free'),
      () => (entry.text += ': failed'),
    );
    return result;
  }
  override macOf(address: FloatingAddress, ip: Ipv4Address): Promise<string | null> {
    const entry = this.rec(`arp ${ip.toString()}`);
    const result = super.macOf(address, ip);
    result.then(
      (mac) => (entry.text += `: ${mac ?? 'no reply'}`),
      () => (entry.text += ': failed'),
    );
    return result;
  }
}

class TracingAnnouncer extends FakeAnnouncer {
  constructor(private readonly rec: Rec) {
    super();
  }
  override announce(address: FloatingAddress, count: number): Promise<void> {
    this.rec(`announce ${address.ip.toString()} x${count}`);
    return super.announce(address, count);
  }
  override cancel(address?: FloatingAddress): void {
    this.rec('cancel announcements');
    super.cancel(address);
  }
  override forgetUnresolvedNeighbours(): Promise<void> {
    this.rec('forget unresolved neighbours');
    return super.forgetUnresolvedNeighbours();
  }
}

class TracingGuard extends FakeReleaseGuard {
  constructor(
    private readonly rec: Rec,
    now: () => number,
  ) {
    super(undefined, now);
  }
  override arm(): Promise<void> {
    this.rec(this.deadlineAt === null ? 'guard armed' : `guard armed (removes it itself in ${this.deadlineAt - this.now()} ms unless moved)`);
    return super.arm();
  }
  override deadline(address: FloatingAddress, inMs: number | null): void {
    if (inMs === null && this.deadlineAt !== null) this.rec('guard deadline cleared');
    super.deadline(address, inMs);
  }
  override disarm(): Promise<void> {
    this.rec('guard disarmed');
    return super.disarm();
  }
}

/** Info and above; debug lines are the daemon's own chatter. */
class TracingLogger extends RecordingLogger {
  constructor(private readonly rec: Rec) {
    super();
  }
  override info(m: string, fields?: LogFields): void {
    this.rec(m);
    super.info(m, fields);
  }
  override warn(m: string, fields?: LogFields): void {
    this.rec(`WARN ${m}`);
    super.warn(m, fields);
  }
  override error(m: string, fields?: LogFields): void {
    this.rec(`ERROR ${m}`);
    super.error(m, fields);
  }
}

class TracingNotifier extends RecordingNotifier {
  constructor(private readonly rec: Rec) {
    super();
  }
  override notify(event: NotifyEvent, hooks: NotifyHooks): void {
    this.rec(`notify ${event.state}`);
    super.notify(event, hooks);
  }
}

/** Wraps the fake network's own transport, which the network keeps delivering to. */
class TracingTransport implements PeerTransportPort {
  constructor(
    private readonly inner: FakeTransport,
    private readonly onSend: (msg: HeartbeatMessage, everyChannel: boolean) => void,
  ) {}
  start(listener: TransportListener): Promise<void> {
    return this.inner.start(listener);
  }
  send(msg: HeartbeatMessage, options?: { readonly everyChannel?: boolean }): Promise<void> {
    this.onSend(msg, options?.everyChannel === true);
    return this.inner.send(msg);
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
}
