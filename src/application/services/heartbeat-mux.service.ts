import { heartbeatsIn, type HeartbeatMessage, type Ipv4Address } from '../../domain/index.js';
import type { NodeSettings } from '../node-settings.js';
import type { ClockPort } from '../ports/clock.port.js';
import type { HeartbeatOrigin, PeerTransportPort, TransportListener } from '../ports/peer-transport.port.js';

interface Pending {
  readonly messages: HeartbeatMessage[];
  everyChannel: boolean;
  /** settles as the transport's send of the frame does */
  readonly sent: Promise<void>;
  readonly settle: (send: Promise<void>) => void;
}

/**
 * One transport under several addresses' machines. Each machine gets a lane that looks like the transport; what the
 * lanes send within one turn of the event loop goes out as one frame, and each lane's heartbeat tick is moved onto
 * another's when that comes at most half a period earlier, so a node of ten addresses sends about one frame per
 * interval. Heartbeats that arrive go to the lane of their address; a lost peer is every lane's news.
 */
export class HeartbeatMux implements TransportListener {
  private readonly lanes = new Map<string, MuxLane>();
  private started: Promise<void> | null = null;
  private pending: Pending | null = null;

  constructor(
    private readonly transport: PeerTransportPort,
    private readonly clock: ClockPort,
  ) {}

  /** The lane of the address that names a unit on the wire (a group: its first address). */
  lane(vip: { toString(): string }): PeerTransportPort {
    const key = vip.toString();
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = new MuxLane(this, key);
      this.lanes.set(key, lane);
    }
    return lane;
  }

  onHeartbeat(message: HeartbeatMessage, origin: HeartbeatOrigin): void {
    this.lanes.get(message.vip.toString())?.listener?.onHeartbeat(message, origin);
  }

  onPeerLost(id: Ipv4Address, detail: string): void {
    for (const lane of this.lanes.values()) lane.listener?.onPeerLost(id, detail);
  }

  /** The transport starts with the first lane; if its port is taken, every lane's start fails alike. */
  async open(lane: MuxLane, listener: TransportListener): Promise<void> {
    lane.listener = listener;
    this.started ??= this.transport.start(this).catch((err: unknown) => {
      this.started = null;
      throw err;
    });
    await this.started;
  }

  /** The transport stops with the last lane, after what the lanes still had to say went out. */
  async close(lane: MuxLane): Promise<void> {
    lane.listener = null;
    if ([...this.lanes.values()].some((l) => l.listener) || !this.started) return;
    await this.pending?.sent.catch(() => undefined);
    this.started = null;
    await this.transport.stop();
  }

  send(messages: readonly HeartbeatMessage[], everyChannel: boolean): Promise<void> {
    if (!this.pending) {
      let settle!: (send: Promise<void>) => void;
      const sent = new Promise<void>((resolve, reject) => (settle = (send) => send.then(resolve, reject)));
      const pending: Pending = { messages: [], everyChannel: false, sent, settle };
      this.pending = pending;
      this.clock.setTimeout(() => this.flush(pending), 0);
    }
    const p = this.pending;
    // a lane that speaks twice in one turn: its newer heartbeat replaces the older
    for (const m of messages) {
      const at = p.messages.findIndex((x) => x.vip.equals(m.vip));
      if (at >= 0) p.messages[at] = m;
      else p.messages.push(m);
    }
    p.everyChannel ||= everyChannel;
    return p.sent;
  }

  /** Moves a lane's tick earlier, by at most half of it, onto the latest other lane's tick in that window. */
  alignTick(lane: MuxLane, ms: number): number {
    const now = this.clock.now();
    let due = now + ms;
    let best: number | null = null;
    for (const other of this.lanes.values()) {
      if (other === lane || !other.listener || other.tickDue === null) continue;
      if (other.tickDue >= now + ms / 2 && other.tickDue <= due && (best === null || other.tickDue > best)) best = other.tickDue;
    }
    if (best !== null) due = best;
    lane.tickDue = due;
    return due - now;
  }

  reconfigure(settings: NodeSettings): void {
    this.transport.reconfigure?.(settings);
  }

  private flush(p: Pending): void {
    if (this.pending === p) this.pending = null;
    let send: Promise<void>;
    try {
      send = this.transport.send(p.messages, p.everyChannel ? { everyChannel: true } : undefined);
    } catch (err) {
      send = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    p.settle(send);
  }
}

/** What one address's machine sees of the shared transport. */
export class MuxLane implements PeerTransportPort {
  listener: TransportListener | null = null;
  /** when this lane's next heartbeat tick is due, for the others to align on */
  tickDue: number | null = null;

  constructor(
    private readonly mux: HeartbeatMux,
    readonly key: string,
  ) {}

  start(listener: TransportListener): Promise<void> {
    return this.mux.open(this, listener);
  }

  send(message: HeartbeatMessage | readonly HeartbeatMessage[], options?: { readonly everyChannel?: boolean }): Promise<void> {
    return this.mux.send(heartbeatsIn(message), options?.everyChannel === true);
  }

  stop(): Promise<void> {
    this.tickDue = null;
    return this.mux.close(this);
  }

  alignTick(ms: number): number {
    return this.mux.alignTick(this, ms);
  }

  reconfigure(settings: NodeSettings): void {
    this.mux.reconfigure(settings);
  }
}
