import { NoMetrics, isMultiAddress, unitsOf, type ClockPort, type LoggerPort, type MetricsPort, type NodeSettings, type PeerTransportPort, type TransportListener } from '../../application/index.js';
import { heartbeatsIn, type HeartbeatMessage, type Ipv4Address } from '../../domain/index.js';
import { SystemClock } from '../system/system.clock.js';
import { answersAskAtOnce, asksForTcp, remembered, sendsOnTcp } from './channel-policy.js';
import { DropLog } from './drop-log.js';
import { EchoServer } from './echo-server.js';
import type { FrameAuthenticator } from './frame-authenticator.js';
import { FrameCache } from './heartbeat-frames.js';
import { InboundPipeline, type Inbound } from './inbound-pipeline.js';
import { MulticastChannel } from './multicast-channel.js';
import { PeerDialer } from './peer-dialer.js';
import type { PeerLink } from './peer-link.table.js';
import { TRANSPORT_LIMITS } from './transport-limits.js';

export { TRANSPORT_LIMITS } from './transport-limits.js';

/**
 * Heartbeats go out on the multicast group, which is also how peers find each other, and on one TCP connection
 * to each known peer (the echo port). A dropped connection followed by a refused dial means the peer's host is up
 * but its daemon is gone. Where the group carries heartbeats both ways, the connection stays open but quiet
 * except for state changes (see channel-policy.ts): at 100 ms heartbeats every frame costs each side a wake-up.
 *
 * This class composes the parts: the inbound pipeline judges every frame, the echo server and the multicast
 * channel carry them in, the dialer keeps the outbound links, and the channel policy picks where each heartbeat goes.
 */
export class TcpEchoPeerTransport implements PeerTransportPort {
  private listener: TransportListener | null = null;
  private readonly pipeline: InboundPipeline;
  private readonly drops: DropLog;
  private readonly server: EchoServer;
  private readonly group: MulticastChannel;
  private readonly dialer: PeerDialer;
  private stopped = false;
  /** The last heartbeat sent for each address, and when, for a link that connects between two. */
  private readonly latest = new Map<string, { readonly msg: HeartbeatMessage; readonly at: number }>();
  /** A batch frame's own sequence (several addresses): what authentication orders. */
  private frameSeq = 0;

  constructor(
    private settings: NodeSettings,
    logger: LoggerPort,
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
    this.server = new EchoServer(() => this.settings, this.pipeline, this.drops, clock, logger, {
      heartbeat: (got) => this.heard(got),
      peerClosed: (peer) => this.dialer.peerClosed(peer),
      heardOnGroupAt: (peer) => this.dialer.links.get(peer)?.heardOnGroupAt ?? -Infinity,
    });
    this.group = new MulticastChannel(logger, (buf, remote) => this.onDatagram(buf, remote));
  }

  /** remembered: peers marked as heard on the group or asking for TCP within the window. */
  get counters(): { inbound: number; links: number; remembered: number } {
    const now = this.clock.now();
    let count = 0;
    for (const l of this.dialer.links.values()) if (remembered(l, now, this.settings.echo)) count++;
    return { inbound: this.server.size, links: this.dialer.links.size, remembered: count };
  }

  async start(listener: TransportListener): Promise<void> {
    this.listener = listener;
    this.stopped = false;
    this.dialer.start();
    this.auth?.begin();
    await this.server.listen();
    if (this.settings.multicast) await this.group.join(this.settings.localIp, this.settings.multicast);
    for (const peer of this.settings.peers) this.dialer.ensure(peer, true);
  }

  send(content: HeartbeatMessage | readonly HeartbeatMessage[], options?: { readonly everyChannel?: boolean }): Promise<void> {
    const messages = heartbeatsIn(content);
    const now = this.clock.now();
    for (const m of messages) this.latest.set(m.vip.toString(), { msg: m, at: now });
    const frames = this.framesOf(messages, now);
    const { state, master } = this.sentState();
    // Resolves once every frame is handed to the kernel: one promise per send, not one per channel.
    return new Promise((resolve) => {
      let pending = 1;
      const done = (): void => {
        if (--pending === 0) resolve();
      };
      if (this.group.send(frames.get(false), done)) pending++;
      for (const link of this.dialer.links.values()) {
        if (this.dialer.expire(link, now)) continue;
        if (!sendsOnTcp(link, state, now, this.settings.echo, options?.everyChannel, master)) continue;
        if (this.write(link, frames, state, done)) pending++;
      }
      done();
    });
  }

  reconfigure(settings: NodeSettings): void {
    this.settings = settings;
    this.pipeline.reconfigure(settings);
    // an address a reload removed is no longer repeated to a peer that connects
    const runs = new Set(unitsOf(settings).map((u) => u.addresses[0]!.ip.toString()));
    for (const vip of this.latest.keys()) if (!runs.has(vip)) this.latest.delete(vip);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // a transport started again speaks for what runs then, not for what said goodbye before
    this.latest.clear();
    this.dialer.stop();
    await this.server.close();
    await this.group.close();
  }

  /**
   * One frame per send: a single address's heartbeat (protocol v1), or, with several addresses, a batch: these
   * messages, and the other addresses' latest heartbeats of the last interval. Authentication orders a node's
   * frames, so a late copy of an older frame is dropped: the next frame says again what it said, a goodbye
   * included. Only for an interval: a heartbeat repeated longer would stand for an address that has gone quiet
   * (stopping, say), and keep a peer that timed it out hearing it again.
   */
  private framesOf(messages: readonly HeartbeatMessage[], now = this.clock.now()): FrameCache {
    if (!isMultiAddress(this.settings) && messages.length === 1) return new FrameCache(messages[0]!, this.auth);
    const recent = [...this.latest.values()].filter((l) => now - l.at <= this.settings.echo.intervalMs).map((l) => l.msg);
    const batch = [...messages, ...recent.filter((m) => !messages.includes(m))];
    return new FrameCache({ id: this.settings.localIp, seq: ++this.frameSeq, messages: batch }, this.auth);
  }

  /**
   * What the peers last heard of this node's states, for the channel policy: a change of any address's state must
   * arrive on TCP too, and a master of any address repeats on TCP now and then.
   */
  private sentState(): { state: string; master: boolean } {
    const all = [...this.latest.values()].map((l) => l.msg);
    if (all.length === 1) return { state: all[0]!.state, master: all[0]!.state === 'MASTER' };
    return { state: all.map((m) => `${m.vip.toString()}=${m.state}`).join(','), master: all.some((m) => m.state === 'MASTER') };
  }

  /** One heartbeat on one link; a peer we do not hear on the group is asked for TCP in the same frame. */
  private write(link: PeerLink, frames: FrameCache, state: string, done?: () => void): boolean {
    if (link.state.kind !== 'connected') return false;
    const socket = link.state.socket;
    if (socket.writableLength > TRANSPORT_LIMITS.maxQueuedBytes) {
      this.dialer.stuck(link);
      return false;
    }
    const now = this.clock.now();
    link.lastSentState = state;
    link.lastSentAt = now;
    socket.write(frames.get(asksForTcp(link, now, this.settings.echo)), done);
    return true;
  }

  /** The last heartbeat sent, now, on one link: it just connected, or its peer just asked for TCP. */
  private writeLatest(link: PeerLink): void {
    if (this.latest.size === 0) return;
    this.write(link, this.framesOf([...this.latest.values()].map((l) => l.msg)), this.sentState().state);
  }

  private onDatagram(buf: Buffer, remote: string): void {
    if (this.stopped) return;
    const got = this.pipeline.datagram(buf, remote);
    if (got.kind === 'rejected') this.drops.reject(got);
    else if (got.kind === 'heartbeat') this.heard(got);
  }

  /** A valid heartbeat, from either channel: its link is kept, and the node hears it. */
  private heard(got: Extract<Inbound, { kind: 'heartbeat' }>): void {
    this.dialer.heard(got.msg.id, got.via);
    if (got.via === 'tcp') this.noteAsk(got.msg.id, got.asksTcp);
    if (got.foreign) this.drops.reject(got.foreign);
    const origin = { via: got.via, signed: this.auth !== null };
    for (const msg of got.msgs) this.listener?.onHeartbeat(msg, origin);
  }

  /** A peer that starts asking for TCP hears from us at once: its lease on us may be running out. */
  private noteAsk(id: Ipv4Address, asks: boolean): void {
    const link = this.dialer.links.get(id.toNumber());
    if (!link) return;
    if (!asks) {
      link.askedForTcpAt = -Infinity;
      return;
    }
    const now = this.clock.now();
    const atOnce = answersAskAtOnce(link.askedForTcpAt, now, this.settings.echo);
    link.askedForTcpAt = now;
    if (atOnce) this.writeLatest(link);
  }
}
