import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { NoMetrics, backupQuietPeriodMs, thirdOfTimeoutMs, type LoggerPort, type MetricsPort, type NodeSettings, type PeerTransportPort, type TransportListener } from '../../application/index.js';
import { parseHeartbeat, type HeartbeatMessage, type Ipv4Address } from '../../domain/index.js';
import { PortBusyError, PreconditionError } from '../errors.js';
import { FrameAuthenticator } from './frame-authenticator.js';
import { FrameDecoder, FrameError, decodeDatagram, encodeFrame, type RawFrame } from './frame-codec.js';

/** Bounds that keep a hostile or broken client from costing memory, CPU or other peers' heartbeats. */
export const TRANSPORT_LIMITS = {
  maxInboundConnections: 128,
  /** Per remote address: a scanner from one host cannot take every slot. */
  maxInboundPerAddress: 4,
  /** A socket whose unsent bytes pile up past this is a stuck peer: drop it rather than buffer. */
  maxQueuedBytes: 64 * 1024,
  /** Log at most this many dropped inputs a minute; the rest are counted. */
  dropLogsPerMinute: 10,
};

/** The JSON field of a TCP frame that asks the receiver for its heartbeats over TCP too. */
const ASK_TCP = 'tcp';

interface InboundEntry {
  readonly remote: string;
  /** The peer it identified as with its first valid heartbeat (its address as a number); null until then. */
  peer: number | null;
  /** When it last carried a valid heartbeat (or was accepted). */
  lastFrameAt: number;
}

interface PeerLink {
  readonly id: Ipv4Address;
  socket: Socket | null;
  connected: boolean;
  /** The link just dropped: the next dial decides whether the peer's daemon is gone. */
  confirming: boolean;
  lastError: string;
  retry: NodeJS.Timeout | null;
  /** When a heartbeat last went out on this link, and in which state. */
  lastSentAt: number;
  lastSentState: string;
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
  private readonly links = new Map<number, PeerLink>();
  /** Inbound sockets in arrival order, and which peer each identified as, if any yet. */
  private readonly inbound = new Map<Socket, InboundEntry>();
  /** One timer checks every inbound connection for idleness: a timer per connection would wake the daemon once per peer. */
  private sweep: NodeJS.Timeout | null = null;
  private stopped = false;
  /** When each peer was last heard on the multicast group. */
  private readonly heardOnGroup = new Map<number, number>();
  /** When each peer last asked, in a TCP frame, for our heartbeats over TCP: it does not hear us on the group. */
  private readonly askedForTcp = new Map<number, number>();
  /** The last heartbeat sent, for a link that connects between two. */
  private latest: HeartbeatMessage | null = null;
  private drops = { windowStart: 0, logged: 0, suppressed: 0 };

  constructor(
    private settings: NodeSettings,
    private readonly logger: LoggerPort,
    /** null: frames are unsigned, and signed ones are refused */
    private readonly auth: FrameAuthenticator | null = null,
    private readonly metrics: MetricsPort = new NoMetrics(),
  ) {}

  get counters(): { inbound: number; links: number } {
    return { inbound: this.inbound.size, links: this.links.size };
  }

  async start(listener: TransportListener): Promise<void> {
    this.listener = listener;
    this.stopped = false;
    await this.listenTcp();
    if (this.settings.multicast) await this.listenMulticast(this.settings.multicast);
    for (const peer of this.settings.peers) this.ensureLink(peer);
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
      const now = Date.now();
      for (const link of this.links.values()) {
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
    const id = link.id.toNumber();
    if (link.lastSentState !== msg.state) return true;
    if (!this.heardWithin(this.heardOnGroup, id, now) || this.heardWithin(this.askedForTcp, id, now)) return true;
    return msg.state === 'MASTER' && now - link.lastSentAt >= thirdOfTimeoutMs(this.settings.echo) - this.settings.echo.intervalMs / 2;
  }

  /** One heartbeat on one link; a peer we do not hear on the group is asked for TCP in the same frame. */
  private write(link: PeerLink, frames: FrameCache, done?: () => void): boolean {
    const socket = link.socket;
    if (!link.connected || !socket) return false;
    if (socket.writableLength > TRANSPORT_LIMITS.maxQueuedBytes) {
      this.logger.warn(`peer ${link.id.toString()} is not reading its heartbeats; reconnecting`);
      socket.destroy();
      return false;
    }
    const now = Date.now();
    link.lastSentState = frames.msg.state;
    link.lastSentAt = now;
    const deaf = !this.heardWithin(this.heardOnGroup, link.id.toNumber(), now);
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
  private heardWithin(map: Map<number, number>, id: number, now: number): boolean {
    return this.recent(map.get(id), now);
  }

  private recent(at: number | undefined, now: number): boolean {
    return now - (at ?? -Infinity) <= 1.5 * this.quietPeriodMs();
  }

  private quietPeriodMs(): number {
    return backupQuietPeriodMs(this.settings.echo);
  }

  reconfigure(settings: NodeSettings): void {
    this.settings = settings;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const link of this.links.values()) {
      if (link.retry) clearTimeout(link.retry);
      link.socket?.end();
      link.socket?.destroySoon();
    }
    this.links.clear();
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
    if (this.stopped || !this.makeRoomFor(remote)) {
      socket.destroy();
      return;
    }
    const entry: InboundEntry = { remote, peer: null, lastFrameAt: Date.now() };
    this.inbound.set(socket, entry);
    const decoder = new FrameDecoder();
    this.sweep ??= setInterval(() => this.sweepInbound(), this.idleLimitMs());
    socket.on('data', (chunk: Buffer) => {
      let frames: RawFrame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.dropped(`dropping connection from ${remote}: ${err instanceof Error ? err.message : String(err)}`, 'bad-frame');
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        const got = this.accepted(frame, remote, 'TCP');
        if (got === 'duplicate') continue;
        if (!got) {
          socket.destroy();
          return;
        }
        const { msg, asksTcp } = got;
        entry.lastFrameAt = Date.now();
        if (entry.peer === null) this.replaced(socket, msg.id);
        entry.peer = msg.id.toNumber();
        this.ensureLink(msg.id);
        this.noteAsk(msg.id, asksTcp);
        this.listener?.onHeartbeat(msg, { via: 'tcp', signed: this.auth !== null });
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.inbound.delete(socket);
      // The peer's side of the pair closed: check at once whether its daemon is still there.
      if (entry.peer !== null && !this.stopped) {
        const link = this.links.get(entry.peer);
        if (link && !link.connected && !link.socket) this.dial(link, true);
      }
    });
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
    const now = Date.now();
    const limit = this.idleLimitMs();
    for (const [socket, entry] of this.inbound) {
      if (now - entry.lastFrameAt < limit) continue;
      if (entry.peer !== null && (this.recent(entry.lastFrameAt, now) || this.heardWithin(this.heardOnGroup, entry.peer, now))) continue;
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
    const key = id.toNumber();
    if (!asks) {
      this.askedForTcp.delete(key);
      return;
    }
    const now = Date.now();
    const already = this.heardWithin(this.askedForTcp, key, now);
    this.askedForTcp.set(key, now);
    const link = this.links.get(key);
    if (!already && link) this.writeLatest(link);
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

  /** Authenticates and parses one frame; null (with the drop logged and counted) when it must be refused. */
  private accepted(frame: RawFrame, remote: string, via: string): { msg: HeartbeatMessage; asksTcp: boolean } | 'duplicate' | null {
    let opened;
    try {
      opened = this.auth ? this.auth.open(frame, remote) : FrameAuthenticator.openUnsigned(frame);
    } catch (err) {
      this.dropped(`dropping ${via} message from ${remote}: ${err instanceof Error ? err.message : String(err)}`, 'bad-frame');
      return null;
    }
    if (!opened.ok) {
      if (opened.duplicate) return 'duplicate';
      this.dropped(`dropping ${via} message from ${remote}: ${opened.reason}`, opened.reason.split(/[:(]/)[0]!.trim().replace(/\s+/g, '-').toLowerCase());
      return null;
    }
    const parsed = parseHeartbeat(opened.data);
    if (!parsed.ok) {
      this.dropped(`dropping ${via} message from ${remote}: ${parsed.reason}`, 'bad-fields');
      return null;
    }
    if (parsed.message.id.toString() !== remote) {
      this.dropped(`dropping ${via} message from ${remote}: it claims to be ${parsed.message.id.toString()}`, 'impostor');
      return null;
    }
    return { msg: parsed.message, asksTcp: (opened.data as Record<string, unknown>)[ASK_TCP] === 1 };
  }

  private async listenMulticast(mc: { group: Ipv4Address; port: number }): Promise<void> {
    const local = this.settings.localIp.toString();
    const group = mc.group.toString();
    const udp = createSocket({ type: 'udp4', reuseAddr: true });
    this.udp = udp;
    await this.openUdp(udp, `multicast group ${group}:${mc.port} on ${local}`, { port: mc.port }, () => udp.addMembership(group, local));
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
    if (this.stopped || remote === this.settings.localIp.toString()) return;
    let frame: RawFrame;
    try {
      frame = decodeDatagram(buf);
    } catch (err) {
      this.dropped(`dropping datagram from ${remote}: ${err instanceof FrameError ? err.message : String(err)}`, 'bad-frame');
      return;
    }
    const got = this.accepted(frame, remote, 'multicast');
    if (!got || got === 'duplicate') return;
    const { msg } = got;
    this.heardOnGroup.set(msg.id.toNumber(), Date.now());
    this.ensureLink(msg.id);
    this.listener?.onHeartbeat(msg, { via: 'group', signed: this.auth !== null });
  }

  // --- outbound ---------------------------------------------------------

  private ensureLink(id: Ipv4Address): void {
    if (this.stopped || id.equals(this.settings.localIp) || this.links.has(id.toNumber())) return;
    const link: PeerLink = { id, socket: null, connected: false, confirming: false, lastError: '', retry: null, lastSentAt: 0, lastSentState: '' };
    this.links.set(id.toNumber(), link);
    this.dial(link, false);
  }

  private dial(link: PeerLink, confirming: boolean): void {
    if (this.stopped) return;
    if (link.retry) clearTimeout(link.retry);
    link.retry = null;
    link.confirming = confirming;
    link.lastError = '';
    const { port, dialTimeoutMs } = this.settings.echo;
    const socket = connect({ host: link.id.toString(), port, localAddress: this.settings.localIp.toString() });
    link.socket = socket;
    socket.setNoDelay(true);
    const dialTimer = setTimeout(() => {
      link.lastError = 'ETIMEDOUT';
      socket.destroy();
    }, dialTimeoutMs);
    socket.on('connect', () => {
      clearTimeout(dialTimer);
      link.connected = true;
      link.confirming = false;
      // the peer cuts off a connection that does not identify itself soon, so it hears from us at once
      this.writeLatest(link);
    });
    // Peers never send on our outbound link; anything arriving is discarded unread.
    socket.on('data', () => undefined);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      link.lastError = err.code ?? err.message;
    });
    socket.on('close', () => {
      clearTimeout(dialTimer);
      if (link.socket === socket) link.socket = null;
      if (this.stopped || this.links.get(link.id.toNumber()) !== link) return;
      if (link.connected) {
        link.connected = false;
        this.logger.debug(`heartbeat link to ${link.id.toString()} closed; dialling again to tell a dead daemon from a network fault`);
        this.dial(link, true);
        return;
      }
      if (link.confirming && link.lastError === 'ECONNREFUSED') {
        this.listener?.onPeerLost(link.id, `connection dropped and ${link.id.toString()}:${port} refused a new one`);
      }
      link.confirming = false;
      const backoff = Math.min(Math.max(this.settings.echo.intervalMs, 200), 5000);
      link.retry = setTimeout(() => this.dial(link, false), backoff);
    });
  }

  private dropped(what: string, reason: string): void {
    this.metrics.heartbeatRejected(reason);
    const now = Date.now();
    if (now - this.drops.windowStart >= 60_000) {
      if (this.drops.suppressed > 0) this.logger.warn(`${this.drops.suppressed} more bad inputs dropped in the last minute`);
      this.drops = { windowStart: now, logged: 0, suppressed: 0 };
    }
    if (this.drops.logged < TRANSPORT_LIMITS.dropLogsPerMinute) {
      this.drops.logged++;
      this.logger.warn(what);
    } else {
      this.drops.suppressed++;
    }
  }
}

function listenError(err: NodeJS.ErrnoException, what: string, protocol: 'tcp' | 'udp', port: number): Error {
  if (err.code === 'EADDRINUSE') return new PortBusyError(what, protocol, port);
  if (err.code === 'EADDRNOTAVAIL') return new PreconditionError(`${what}: local_ip is not an address of this host`);
  if (err.code === 'EACCES') return new PreconditionError(`${what}: permission denied`);
  return new PreconditionError(`${what}: ${err.message}`);
}

/** A heartbeat's frames, each encoded at most once per send: plain, and asking the receiver for TCP. */
class FrameCache {
  private plain: Buffer | null = null;
  private asking: Buffer | null = null;

  constructor(
    readonly msg: HeartbeatMessage,
    private readonly auth: FrameAuthenticator | null,
  ) {}

  get(asking: boolean): Buffer {
    if (asking) return (this.asking ??= encodeFrame(this.msg, this.auth?.signer, { [ASK_TCP]: 1 }));
    return (this.plain ??= encodeFrame(this.msg, this.auth?.signer));
  }
}
