import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { NoMetrics, backupQuietPeriodMs, thirdOfTimeoutMs, type ClockPort, type LoggerPort, type MetricsPort, type NodeSettings, type PeerTransportPort, type TransportListener } from '../../application/index.js';
import { Ipv4Address, type HeartbeatMessage } from '../../domain/index.js';
import { PortBusyError, PreconditionError } from '../errors.js';
import type { FrameAuthenticator } from './frame-authenticator.js';
import { SystemClock } from '../system/system.clock.js';
import { DROP_LOG_LIMITS, DropLog } from './drop-log.js';
import { FrameCache } from './heartbeat-frames.js';
import { InboundPipeline } from './inbound-pipeline.js';
import { PeerDialer } from './peer-dialer.js';
import type { PeerLink } from './peer-link.table.js';

/** Bounds that keep a hostile or broken client from costing memory, CPU or other peers' heartbeats. */
export const TRANSPORT_LIMITS = {
  maxInboundConnections: 128,
  /** Per remote address: a scanner from one host cannot take every slot. */
  maxInboundPerAddress: 4,
  /** A socket whose unsent bytes pile up past this is a stuck peer: drop it rather than buffer. */
  maxQueuedBytes: 64 * 1024,
  /** Log at most this many dropped inputs a minute; the rest are counted. */
  dropLogsPerMinute: DROP_LOG_LIMITS.perMinute,
};

interface InboundEntry {
  readonly remote: string;
  /** The peer it identified as with its first valid heartbeat (its address as a number); null until then. */
  peer: number | null;
  /** When it last carried a valid heartbeat (or was accepted). */
  lastFrameAt: number;
  /** Closed by us for what it sent: its closing says nothing about its daemon. */
  refused: boolean;
}

/**
 * Heartbeats go out on the multicast group, which is also how peers find each other, and on one TCP connection
 * to each known peer (the echo port). A dropped connection followed by a refused dial means the peer's host is up
 * but its daemon is gone. Where the group carries heartbeats both ways, the connection stays open but quiet
 * except for state changes: at 100 ms heartbeats every frame costs each side a wake-up.
 */
export class TcpEchoPeerTransport implements PeerTransportPort {
  private listener: TransportListener | null = null;
  private server: Server | null = null;
  private udp: UdpSocket | null = null;
  /** Sends to the group: connected, so that a send skips the address lookup Node.js does for every datagram. */
  private udpOut: UdpSocket | null = null;
  private readonly dialer: PeerDialer;
  private readonly pipeline: InboundPipeline;
  private readonly drops: DropLog;
  /** Inbound sockets in arrival order, and which peer each identified as, if any yet. */
  private readonly inbound = new Map<Socket, InboundEntry>();
  /** One timer checks every inbound connection for idleness: a timer per connection would wake the daemon once per peer. */
  private sweep: NodeJS.Timeout | null = null;
  private stopped = false;
  /** The last heartbeat sent, for a link that connects between two. */
  private latest: HeartbeatMessage | null = null;

  constructor(
    private settings: NodeSettings,
    private readonly logger: LoggerPort,
    /** null: frames are unsigned, and signed ones are refused */
    private readonly auth: FrameAuthenticator | null = null,
    metrics: MetricsPort = new NoMetrics(),
    private readonly clock: ClockPort = new SystemClock(),
  ) {
    this.pipeline = new InboundPipeline(settings, auth);
    this.drops = new DropLog(logger, metrics, clock);
    this.dialer = new PeerDialer(() => this.settings, logger, clock, {
      connected: (link) => this.writeLatest(link),
      lost: (id, detail) => this.listener?.onPeerLost(id, detail),
    });
  }

  private get links(): PeerDialer['links'] {
    return this.dialer.links;
  }

  /** remembered: peers marked as heard on the group or asking for TCP within the window. */
  get counters(): { inbound: number; links: number; remembered: number } {
    const now = this.clock.now();
    let remembered = 0;
    for (const l of this.links.values()) if (this.recent(l.heardOnGroupAt, now) || this.recent(l.askedForTcpAt, now)) remembered++;
    return { inbound: this.inbound.size, links: this.links.size, remembered };
  }

  async start(listener: TransportListener): Promise<void> {
    this.listener = listener;
    this.stopped = false;
    this.dialer.start();
    this.auth?.begin();
    await this.listenTcp();
    if (this.settings.multicast) await this.listenMulticast(this.settings.multicast);
    for (const peer of this.settings.peers) this.dialer.ensure(peer, true);
  }

  send(msg: HeartbeatMessage, options?: { readonly everyChannel?: boolean }): Promise<void> {
    this.latest = msg;
    const frames = new FrameCache(msg, this.auth);
    // Resolves once every frame is handed to the kernel: one promise per send, not one per channel.
    return new Promise((resolve) => {
      let pending = 1;
      const done = (): void => {
        if (--pending === 0) resolve();
      };
      if (this.udpOut) {
        pending++;
        this.udpOut.send(frames.get(false), done);
      }
      const now = this.clock.now();
      for (const link of this.links.values()) {
        if (this.dialer.expire(link, now)) continue;
        if (!options?.everyChannel && !this.tcpDue(link, msg, now)) continue;
        if (this.write(link, frames, done)) pending++;
      }
      done();
    });
  }

  /**
   * Where the group carries a peer's heartbeats both ways, its TCP link needs a frame only on a change of state
   * (which must arrive even if its datagram is lost), and from the master now and then: if the group stops
   * carrying the master's heartbeats, the backups' leases must not run out before they can ask for TCP.
   * A peer we do not hear on the group, or that asked for TCP, gets every heartbeat.
   */
  private tcpDue(link: PeerLink, msg: HeartbeatMessage, now: number): boolean {
    if (link.lastSentState !== msg.state) return true;
    if (!this.recent(link.heardOnGroupAt, now) || this.recent(link.askedForTcpAt, now)) return true;
    return msg.state === 'MASTER' && now - link.lastSentAt >= thirdOfTimeoutMs(this.settings.echo) - this.settings.echo.intervalMs / 2;
  }

  /** One heartbeat on one link; a peer we do not hear on the group is asked for TCP in the same frame. */
  private write(link: PeerLink, frames: FrameCache, done?: () => void): boolean {
    if (link.state.kind !== 'connected') return false;
    const socket = link.state.socket;
    if (socket.writableLength > TRANSPORT_LIMITS.maxQueuedBytes) {
      this.dialer.stuck(link);
      return false;
    }
    const now = this.clock.now();
    link.lastSentState = frames.msg.state;
    link.lastSentAt = now;
    const deaf = !this.recent(link.heardOnGroupAt, now);
    socket.write(frames.get(deaf), done);
    return true;
  }

  /** The last heartbeat sent, now, on one link: it just connected, or its peer just asked for TCP. */
  private writeLatest(link: PeerLink): void {
    if (this.latest) this.write(link, new FrameCache(this.latest, this.auth));
  }

  /**
   * Whether a peer was heard (on the group, or asking for TCP) recently enough to count. A backup speaks once per
   * quiet period, so one missed heartbeat, half a period late, ends the window. It must end well before the peer
   * counts as gone (BACKUP_ALIVE_TIMEOUTS): then a relayed frame asks the peer for TCP, and it answers at once.
   */
  private recent(at: number, now: number): boolean {
    return now - at <= 1.5 * this.quietPeriodMs();
  }

  private quietPeriodMs(): number {
    return backupQuietPeriodMs(this.settings.echo);
  }

  reconfigure(settings: NodeSettings): void {
    this.settings = settings;
    this.pipeline.reconfigure(settings);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.dialer.stop();
    for (const s of this.inbound.keys()) s.destroy();
    this.inbound.clear();
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    for (const udp of [this.udp, this.udpOut]) if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    this.udp = this.udpOut = null;
  }

  // --- inbound ----------------------------------------------------------

  private listenTcp(): Promise<void> {
    const { port } = this.settings.echo;
    const host = this.settings.localIp.toString();
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, `echo port ${host}:${port} (TCP)`, 'tcp', port)));
      server.listen({ host, port }, () => {
        server.on('error', (err) => this.logger.error(`echo server: ${err.message}`));
        resolve();
      });
    });
  }

  private accept(socket: Socket): void {
    const remote = socket.remoteAddress?.replace(/^::ffff:/, '') ?? '?';
    const foreign = this.stopped ? null : this.pipeline.admitConnection(remote);
    if (foreign) {
      this.drops.reject(foreign);
      socket.destroy();
      return;
    }
    if (this.stopped || !this.makeRoomFor(remote)) {
      socket.destroy();
      return;
    }
    const entry: InboundEntry = { remote, peer: null, lastFrameAt: this.clock.now(), refused: false };
    this.inbound.set(socket, entry);
    const judge = this.pipeline.stream(remote);
    this.sweep ??= setInterval(() => this.sweepInbound(), this.idleLimitMs());
    socket.on('data', (chunk: Buffer) => {
      for (const got of judge(chunk)) {
        if (got.kind === 'rejected') {
          this.drops.reject(got);
          entry.refused = true;
          socket.destroy();
          return;
        }
        // A duplicate is a signed copy whose datagram came first: no news, but it is the sender's (its MAC verified,
        // and the first copy's sender matched its address), so it identifies the connection and keeps it open.
        if (got.kind === 'duplicate') this.identify(socket, entry, remote);
        if (got.kind !== 'heartbeat') continue;
        const { msg, asksTcp } = got;
        this.identify(socket, entry, msg.id);
        this.dialer.heard(msg.id, 'tcp');
        this.noteAsk(msg.id, asksTcp);
        this.listener?.onHeartbeat(msg, { via: 'tcp', signed: this.auth !== null });
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.inbound.delete(socket);
      // The peer's side of the pair closed (we did not close it): is its daemon still there?
      if (entry.peer !== null && !entry.refused && !this.stopped) this.dialer.peerClosed(entry.peer);
    });
  }

  /** A valid frame on this connection: it is the peer's, and alive. */
  private identify(socket: Socket, entry: InboundEntry, id: Ipv4Address | string): void {
    const peer = typeof id === 'string' ? (Ipv4Address.isValid(id) ? Ipv4Address.create(id) : null) : id;
    if (!peer) return;
    entry.lastFrameAt = this.clock.now();
    if (entry.peer === null) this.replaced(socket, peer);
    entry.peer = peer.toNumber();
  }

  private idleLimitMs(): number {
    return Math.max(3 * this.settings.echo.intervalMs, 1000);
  }

  /**
   * Only whole, valid heartbeats keep a connection open: a silent or trickling client is cut off within two idle
   * limits. An identified peer may be a backup, which speaks once per quiet period; one heard on the group sends on
   * its connection only when its state changes. Either way it stays open.
   */
  private sweepInbound(): void {
    const now = this.clock.now();
    const limit = this.idleLimitMs();
    for (const [socket, entry] of this.inbound) {
      if (now - entry.lastFrameAt < limit) continue;
      if (entry.peer !== null && (this.recent(entry.lastFrameAt, now) || this.recent(this.links.get(entry.peer)?.heardOnGroupAt ?? -Infinity, now))) continue;
      this.dropped(`closing connection from ${entry.remote}: no heartbeat for ${now - entry.lastFrameAt} ms`, 'idle');
      this.inbound.delete(socket);
      socket.destroy();
    }
    if (this.inbound.size === 0 && this.sweep) {
      clearInterval(this.sweep);
      this.sweep = null;
    }
  }

  /** Enforces the connection limits; at capacity the oldest connection that never identified itself gives way. */
  private makeRoomFor(remote: string): boolean {
    let fromSame = 0;
    for (const e of this.inbound.values()) if (e.remote === remote) fromSame++;
    if (fromSame >= TRANSPORT_LIMITS.maxInboundPerAddress) {
      this.dropped(`refusing connection from ${remote}: it already has ${fromSame} open`, 'connection-limit');
      return false;
    }
    if (this.inbound.size < TRANSPORT_LIMITS.maxInboundConnections) return true;
    for (const [socket, e] of this.inbound) {
      if (e.peer === null) {
        this.inbound.delete(socket);
        socket.destroy();
        return true;
      }
    }
    this.dropped(`refusing connection from ${remote}: ${this.inbound.size} connections open`, 'connection-limit');
    return false;
  }

  /** A peer that starts asking for TCP hears from us at once: its lease on us may be running out. */
  private noteAsk(id: Ipv4Address, asks: boolean): void {
    const link = this.links.get(id.toNumber());
    if (!link) return;
    if (!asks) {
      link.askedForTcpAt = -Infinity;
      return;
    }
    const now = this.clock.now();
    const already = this.recent(link.askedForTcpAt, now);
    link.askedForTcpAt = now;
    if (!already) this.writeLatest(link);
  }

  /**
   * A peer dials us once per daemon run, so its older connections are left over from a run that ended without
   * closing them (its host crashed): they would never carry anything again.
   */
  private replaced(current: Socket, id: Ipv4Address): void {
    for (const [socket, e] of this.inbound) {
      if (socket !== current && e.peer === id.toNumber()) {
        this.inbound.delete(socket);
        socket.destroy();
      }
    }
  }

  private async listenMulticast(mc: { group: Ipv4Address; port: number }): Promise<void> {
    const local = this.settings.localIp.toString();
    const group = mc.group.toString();
    const udp = createSocket({ type: 'udp4', reuseAddr: true });
    this.udp = udp;
    // Bound to the group (Linux), the socket never sees datagrams sent to this host's own address: a heartbeat
    // must reach every node, and unicast to one is how a host would lie to that one alone.
    const at = process.platform === 'linux' ? { address: group, port: mc.port } : { port: mc.port };
    await this.openUdp(udp, `multicast group ${group}:${mc.port} on ${local}`, at, () => udp.addMembership(group, local));
    udp.on('message', (buf, rinfo) => this.onDatagram(buf, rinfo.address));
    const out = createSocket({ type: 'udp4' });
    this.udpOut = out;
    await this.openUdp(out, `multicast sender on ${local}`, { address: local, port: 0 }, () => {
      out.setMulticastInterface(local);
      out.setMulticastTTL(1);
      out.setMulticastLoopback(false);
    });
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.connect(mc.port, group, () => {
        out.removeListener('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      throw new PreconditionError(`cannot send to multicast group ${group}:${mc.port} from ${local}: ${(err as Error).message}`);
    });
  }

  /** Binds a UDP socket and applies its options; afterwards its errors are logged, never thrown. */
  private openUdp(udp: UdpSocket, what: string, at: { address?: string; port: number }, options: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      udp.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, `${what} (UDP)`, 'udp', at.port)));
      udp.bind(at, () => {
        try {
          options();
        } catch (err) {
          reject(new PreconditionError(`cannot set up ${what}: ${(err as Error).message}`));
          return;
        }
        udp.removeAllListeners('error');
        udp.on('error', (err) => this.logger.error(`${what}: ${err.message}`));
        resolve();
      });
    });
  }

  private onDatagram(buf: Buffer, remote: string): void {
    if (this.stopped) return;
    const got = this.pipeline.datagram(buf, remote);
    if (got.kind === 'rejected') this.drops.reject(got);
    if (got.kind !== 'heartbeat') return;
    this.dialer.heard(got.msg.id, 'group');
    this.listener?.onHeartbeat(got.msg, { via: 'group', signed: this.auth !== null });
  }

  private dropped(detail: string, reason: string): void {
    this.drops.reject({ reason, detail });
  }
}

function listenError(err: NodeJS.ErrnoException, what: string, protocol: 'tcp' | 'udp', port: number): Error {
  if (err.code === 'EADDRINUSE') return new PortBusyError(what, protocol, port);
  if (err.code === 'EADDRNOTAVAIL') return new PreconditionError(`${what}: local_ip is not an address of this host`);
  if (err.code === 'EACCES') return new PreconditionError(`${what}: permission denied`);
  return new PreconditionError(`${what}: ${err.message}`);
}
