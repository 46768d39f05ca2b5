import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { NoMetrics, type LoggerPort, type MetricsPort, type NodeSettings, type PeerTransportPort, type TransportListener } from '../../application/index.js';
import { parseHeartbeat, type HeartbeatMessage, type Ipv4Address } from '../../domain/index.js';
import { PreconditionError } from '../errors.js';
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
 * Heartbeats go out every interval on one TCP connection to each known peer (the echo port) and on the
 * multicast group, which is also how peers find each other. A dropped connection followed by a refused
 * dial means the peer's host is up but its daemon is gone.
 */
export class TcpEchoPeerTransport implements PeerTransportPort {
  private listener: TransportListener | null = null;
  private server: Server | null = null;
  private udp: UdpSocket | null = null;
  private readonly links = new Map<number, PeerLink>();
  /** Inbound sockets in arrival order, and whether each has sent a valid heartbeat yet. */
  private readonly inbound = new Map<Socket, { remote: string; identified: boolean }>();
  private stopped = false;
  /** When each peer was last heard on the multicast group. */
  private readonly heardOnGroup = new Map<number, number>();
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

  async send(msg: HeartbeatMessage): Promise<void> {
    const frame = encodeFrame(msg, this.auth?.signer);
    const pending: Promise<void>[] = [];
    const mc = this.settings.multicast;
    if (this.udp && mc) {
      const udp = this.udp;
      pending.push(new Promise((resolve) => udp.send(frame, mc.port, mc.group.toString(), () => resolve())));
    }
    const now = Date.now();
    for (const link of this.links.values()) {
      const socket = link.socket;
      if (!link.connected || !socket) continue;
      if (!this.tcpDue(link, msg, now)) continue;
      link.lastSentAt = now;
      link.lastSentState = msg.state;
      if (socket.writableLength > TRANSPORT_LIMITS.maxQueuedBytes) {
        this.logger.warn(`peer ${link.id.toString()} is not reading its heartbeats; reconnecting`);
        socket.destroy();
        continue;
      }
      pending.push(new Promise((resolve) => socket.write(frame, () => resolve())));
    }
    await Promise.all(pending);
  }

  /**
   * Where the multicast group carries a peer's heartbeats both ways, its TCP link needs a heartbeat only now and
   * then (its connection is what tells a killed daemon) and whenever the state changes. Where multicast is
   * blocked, every heartbeat goes over TCP. This halves the packets of a group on one segment.
   */
  private tcpDue(link: PeerLink, msg: HeartbeatMessage, now: number): boolean {
    const { intervalMs } = this.settings.echo;
    // A backup speaks only every refresh period, so that is the gap to allow before calling the group silent;
    // meanwhile the refresh alone still reaches the peer three times per timeout.
    const onGroup = now - (this.heardOnGroup.get(link.id.toNumber()) ?? -Infinity) <= 2.5 * this.tcpRefreshMs();
    return !onGroup || link.lastSentState !== msg.state || now - link.lastSentAt >= this.tcpRefreshMs() - intervalMs / 2;
  }

  private tcpRefreshMs(): number {
    const { intervalMs, timeoutMs } = this.settings.echo;
    return Math.max(intervalMs, Math.floor(timeoutMs / 3));
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
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    const udp = this.udp;
    this.udp = null;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
  }

  // --- inbound ----------------------------------------------------------

  private listenTcp(): Promise<void> {
    const { port } = this.settings.echo;
    const host = this.settings.localIp.toString();
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, `echo port ${host}:${port} (TCP)`)));
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
    const entry = { remote, identified: false };
    this.inbound.set(socket, entry);
    const decoder = new FrameDecoder();
    let peer: Ipv4Address | null = null;
    // Only whole, valid heartbeats keep a connection open: a silent or trickling client is cut off.
    // A peer that also speaks on the group refreshes its link less often, so an identified link waits longer.
    let idleLimit = Math.max(3 * this.settings.echo.intervalMs, 1000);
    let idle = setTimeout(() => expire(), idleLimit);
    const expire = (): void => {
      this.dropped(`closing connection from ${remote}: no heartbeat for ${idleLimit} ms`, 'idle');
      socket.destroy();
    };
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
        const msg = this.accepted(frame, remote, 'TCP');
        if (msg === 'duplicate') continue;
        if (!msg) {
          socket.destroy();
          return;
        }
        clearTimeout(idle);
        idleLimit = Math.max(3 * this.settings.echo.intervalMs, 2 * this.tcpRefreshMs(), 1000);
        idle = setTimeout(() => expire(), idleLimit);
        entry.identified = true;
        peer = msg.id;
        this.ensureLink(msg.id);
        this.listener?.onHeartbeat(msg);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(idle);
      this.inbound.delete(socket);
      // The peer's side of the pair closed: check at once whether its daemon is still there.
      if (peer && !this.stopped) {
        const link = this.links.get(peer.toNumber());
        if (link && !link.connected && !link.socket) this.dial(link, true);
      }
    });
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
      if (!e.identified) {
        this.inbound.delete(socket);
        socket.destroy();
        return true;
      }
    }
    this.dropped(`refusing connection from ${remote}: ${this.inbound.size} connections open`, 'connection-limit');
    return false;
  }

  /** Authenticates and parses one frame; null (with the drop logged and counted) when it must be refused. */
  private accepted(frame: RawFrame, remote: string, via: string): HeartbeatMessage | 'duplicate' | null {
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
    return parsed.message;
  }

  private listenMulticast(mc: { group: Ipv4Address; port: number }): Promise<void> {
    const udp = createSocket({ type: 'udp4', reuseAddr: true });
    this.udp = udp;
    const local = this.settings.localIp.toString();
    return new Promise((resolve, reject) => {
      udp.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, `multicast ${mc.group.toString()}:${mc.port}`)));
      udp.bind(mc.port, () => {
        try {
          udp.addMembership(mc.group.toString(), local);
          udp.setMulticastInterface(local);
          udp.setMulticastTTL(1);
          udp.setMulticastLoopback(false);
        } catch (err) {
          reject(new PreconditionError(`cannot join multicast group ${mc.group.toString()} on ${local}: ${(err as Error).message}`));
          return;
        }
        udp.removeAllListeners('error');
        udp.on('error', (err) => this.logger.error(`multicast socket: ${err.message}`));
        udp.on('message', (buf, rinfo) => this.onDatagram(buf, rinfo.address));
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
    const msg = this.accepted(frame, remote, 'multicast');
    if (!msg || msg === 'duplicate') return;
    this.heardOnGroup.set(msg.id.toNumber(), Date.now());
    this.ensureLink(msg.id);
    this.listener?.onHeartbeat(msg);
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

function listenError(err: NodeJS.ErrnoException, what: string): Error {
  if (err.code === 'EADDRINUSE') return new PreconditionError(`${what} is already in use: is another floatip running?`);
  if (err.code === 'EADDRNOTAVAIL') return new PreconditionError(`${what}: local_ip is not an address of this host`);
  if (err.code === 'EACCES') return new PreconditionError(`${what}: permission denied`);
  return new PreconditionError(`${what}: ${err.message}`);
}
