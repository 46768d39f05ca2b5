import { createServer, type Server, type Socket } from 'node:net';
import type { ClockPort, LoggerPort, NodeSettings, TimerHandle } from '../../application/index.js';
import { Ipv4Address } from '../../domain/index.js';
import { idleConnectionCloses, idleLimitMs } from './channel-policy.js';
import type { DropLog } from './drop-log.js';
import type { Inbound, InboundPipeline } from './inbound-pipeline.js';
import { listenError } from './listen-error.js';
import { TRANSPORT_LIMITS } from './transport-limits.js';

export interface EchoServerEvents {
  /** A valid heartbeat arrived on an inbound connection. */
  heartbeat(got: Extract<Inbound, { kind: 'heartbeat' }>): void;
  /** An identified peer's connection was closed by the peer (not by us): is its daemon still there? */
  peerClosed(peer: number): void;
  /** When the peer was last heard on the group: a peer heard there may keep its connection quiet. */
  heardOnGroupAt(peer: number): number;
}

interface Connection {
  readonly remote: string;
  /** Parsed once, at admission (the source filter took it, so it is an IPv4 address). */
  readonly address: Ipv4Address;
  /** Whether it carried a valid heartbeat of its peer yet. */
  identified: boolean;
  /** When it last carried a valid heartbeat (or was accepted). */
  lastFrameAt: number;
  /** Closed by us for what it sent: its closing says nothing about its daemon. */
  refused: boolean;
}

/**
 * The echo port: peers' inbound connections. Admits by source and within the connection limits, feeds each
 * connection's bytes to the pipeline, and closes connections that carry nothing valid.
 */
export class EchoServer {
  private server: Server | null = null;
  /** Inbound sockets in arrival order: eviction takes the oldest. */
  private readonly inbound = new Map<Socket, Connection>();
  /** One timer checks every inbound connection for idleness: a timer per connection would wake the daemon once per peer. */
  private sweep: TimerHandle | null = null;
  private stopped = false;

  constructor(
    private readonly settings: () => NodeSettings,
    private readonly pipeline: InboundPipeline,
    private readonly drops: DropLog,
    private readonly clock: ClockPort,
    private readonly logger: LoggerPort,
    private readonly events: EchoServerEvents,
  ) {}

  get size(): number {
    return this.inbound.size;
  }

  listen(): Promise<void> {
    this.stopped = false;
    const { localIp, echo } = this.settings();
    const host = localIp.toString();
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, `echo port ${host}:${echo.port} (TCP)`, 'tcp', echo.port)));
      server.listen({ host, port: echo.port }, () => {
        server.on('error', (err) => this.logger.error(`echo server: ${err.message}`));
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const s of this.inbound.keys()) s.destroy();
    this.inbound.clear();
    if (this.sweep) this.clock.clearTimeout(this.sweep);
    this.sweep = null;
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const remote = socket.remoteAddress?.replace(/^::ffff:/, '') ?? '?';
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const foreign = this.pipeline.admitConnection(remote);
    if (foreign) this.drops.reject(foreign);
    if (foreign || !this.makeRoomFor(remote)) {
      socket.destroy();
      return;
    }
    const conn: Connection = { remote, address: Ipv4Address.create(remote), identified: false, lastFrameAt: this.clock.now(), refused: false };
    this.inbound.set(socket, conn);
    this.sweep ??= this.clock.setTimeout(() => this.sweepInbound(), idleLimitMs(this.settings().echo));
    const judge = this.pipeline.stream(remote);
    socket.on('data', (chunk: Buffer) => {
      for (const got of judge(chunk)) {
        if (got.kind === 'rejected') {
          this.drops.reject(got);
          conn.refused = true;
          socket.destroy();
          return;
        }
        // A duplicate is a signed copy whose datagram came first: no news, but it is the sender's (its MAC verified,
        // and the first copy's sender matched its address), so it identifies the connection and keeps it open.
        if (got.kind !== 'own') this.identify(socket, conn);
        if (got.kind === 'heartbeat') this.events.heartbeat(got);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.inbound.delete(socket);
      if (conn.identified && !conn.refused && !this.stopped) this.events.peerClosed(conn.address.toNumber());
    });
  }

  /** A valid frame on this connection: it is the peer's (the pipeline checked it names its sender), and alive. */
  private identify(socket: Socket, conn: Connection): void {
    conn.lastFrameAt = this.clock.now();
    if (!conn.identified) this.replaced(socket, conn.address);
    conn.identified = true;
  }

  private sweepInbound(): void {
    this.sweep = null;
    const now = this.clock.now();
    const echo = this.settings().echo;
    for (const [socket, conn] of this.inbound) {
      if (!idleConnectionCloses(conn, this.events.heardOnGroupAt(conn.address.toNumber()), now, echo)) continue;
      this.drops.reject({ reason: 'idle', detail: `closing connection from ${conn.remote}: no heartbeat for ${now - conn.lastFrameAt} ms` });
      this.inbound.delete(socket);
      socket.destroy();
    }
    if (this.inbound.size > 0) this.sweep = this.clock.setTimeout(() => this.sweepInbound(), idleLimitMs(echo));
  }

  /** Enforces the connection limits; at capacity the oldest connection that never identified itself gives way. */
  private makeRoomFor(remote: string): boolean {
    let fromSame = 0;
    for (const c of this.inbound.values()) if (c.remote === remote) fromSame++;
    if (fromSame >= TRANSPORT_LIMITS.maxInboundPerAddress) {
      this.drops.reject({ reason: 'connection-limit', detail: `refusing connection from ${remote}: it already has ${fromSame} open` });
      return false;
    }
    if (this.inbound.size < TRANSPORT_LIMITS.maxInboundConnections) return true;
    for (const [socket, c] of this.inbound) {
      if (!c.identified) {
        this.inbound.delete(socket);
        socket.destroy();
        return true;
      }
    }
    this.drops.reject({ reason: 'connection-limit', detail: `refusing connection from ${remote}: ${this.inbound.size} connections open` });
    return false;
  }

  /**
   * A peer dials us once per daemon run, so its older connections are left over from a run that ended without
   * closing them (its host crashed): they would never carry anything again.
   */
  private replaced(current: Socket, address: Ipv4Address): void {
    for (const [socket, c] of this.inbound) {
      if (socket !== current && c.identified && c.address.equals(address)) {
        this.inbound.delete(socket);
        socket.destroy();
      }
    }
  }
}
