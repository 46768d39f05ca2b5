import { unitsOf, type NodeSettings } from '../../application/index.js';
import { parseHeartbeats, type HeartbeatMessage, type IpAddress } from '../../domain/index.js';
import type { Rejection } from './drop-log.js';
import { FrameAuthenticator } from './frame-authenticator.js';
import { FrameDecoder, decodeDatagram, type RawFrame } from './frame-codec.js';
import { ASK_TCP } from './heartbeat-frames.js';
import { PeerSourceFilter } from './peer-source.filter.js';

export type Via = 'tcp' | 'group';

/** What one frame off the wire comes to. */
export type Inbound =
  | {
      readonly kind: 'heartbeat';
      /** the first of `msgs` */
      readonly msg: HeartbeatMessage;
      /** one per address of ours the frame speaks of (a single-address node sends one) */
      readonly msgs: readonly HeartbeatMessage[];
      readonly via: Via;
      readonly remote: string;
      readonly asksTcp: boolean;
      /** the frame also spoke of addresses this node does not run: said, not acted on */
      readonly foreign?: Rejection;
    }
  /** Signed, and already taken on the other channel: no news, but the sender's (its MAC verified). */
  | { readonly kind: 'duplicate'; readonly remote: string }
  /** Our own datagram: not an input at all. */
  | { readonly kind: 'own' }
  | ({ readonly kind: 'rejected' } & Rejection);

const NOT_A_PEER = 'and not a configured peer';

/**
 * Bytes in, heartbeats or typed rejections out, in one pass: source, frame, authentication, fields, then whether the
 * sender is who it claims and manages our address. The TCP and multicast paths differ only in how bytes become frames.
 */
export class InboundPipeline {
  private sources: PeerSourceFilter;
  /** The addresses this node runs, as frames name them (a group by its first address). */
  private vips: readonly IpAddress[];
  /** A group's other addresses, by address: a peer that speaks for one of them lists the group differently. */
  private grouped: ReadonlyMap<string, string>;

  constructor(
    private settings: NodeSettings,
    /** null: frames are unsigned, and signed ones are refused */
    private readonly auth: FrameAuthenticator | null,
  ) {
    this.sources = new PeerSourceFilter(settings);
    this.vips = vipsOf(settings);
    this.grouped = groupedOf(settings);
  }

  reconfigure(settings: NodeSettings): void {
    this.settings = settings;
    this.sources = new PeerSourceFilter(settings);
    this.vips = vipsOf(settings);
    this.grouped = groupedOf(settings);
  }

  /** A connection is refused before it sends anything when it comes from outside the subnet and no peer has its address. */
  admitConnection(remote: string): Rejection | null {
    if (this.sources.allows(remote)) return null;
    return { reason: 'foreign-source', detail: `refusing connection from ${remote}: outside ${this.sources.describe()} ${NOT_A_PEER}` };
  }

  /** One datagram from the group is one whole frame. */
  datagram(buf: Buffer, remote: string): Inbound {
    if (remote === this.settings.localIp.toString()) return { kind: 'own' };
    if (!this.sources.allows(remote)) return rejected('foreign-source', `dropping datagram from ${remote}: outside ${this.sources.describe()} ${NOT_A_PEER}`);
    let frame: RawFrame;
    try {
      frame = decodeDatagram(buf);
    } catch (err) {
      return rejected('bad-frame', `dropping datagram from ${remote}: ${message(err)}`);
    }
    return this.frame(frame, remote, 'group');
  }

  /**
   * Reassembles one connection's stream (the source was admitted with the connection). Frames are judged one at a
   * time as the caller asks, so it can stop at the first rejection and leave the rest unjudged; a chunk that does
   * not decode yields one rejection before any of its frames.
   */
  stream(remote: string): (chunk: Buffer) => Iterable<Inbound> {
    const decoder = new FrameDecoder();
    return (chunk) => this.chunk(decoder, chunk, remote);
  }

  private *chunk(decoder: FrameDecoder, chunk: Buffer, remote: string): Generator<Inbound> {
    let frames: RawFrame[];
    try {
      frames = decoder.push(chunk);
    } catch (err) {
      yield rejected('bad-frame', `dropping connection from ${remote}: ${message(err)}`);
      return;
    }
    for (const frame of frames) yield this.frame(frame, remote, 'tcp');
  }

  private frame(frame: RawFrame, remote: string, via: Via): Inbound {
    const dropping = `dropping ${via === 'tcp' ? 'TCP' : 'multicast'} message from ${remote}`;
    let opened;
    try {
      opened = this.auth ? this.auth.open(frame, remote) : FrameAuthenticator.openUnsigned(frame);
    } catch (err) {
      return rejected('bad-frame', `${dropping}: ${message(err)}`);
    }
    if (!opened.ok) {
      if (opened.duplicate) return { kind: 'duplicate', remote };
      return rejected(authReason(opened.reason), `${dropping}: ${opened.reason}`);
    }
    const parsed = parseHeartbeats(opened.data);
    if (!parsed.ok) return rejected('bad-fields', `${dropping}: ${parsed.reason}`);
    if (parsed.id.toString() !== remote) return rejected('impostor', `${dropping}: it claims to be ${parsed.id.toString()}`);
    // Another group's heartbeat: it must cost no link and no peer entry (and its log lines have their own budget).
    const ours = parsed.messages.filter((m) => this.vips.some((v) => v.equals(m.vip)));
    const others = parsed.messages.filter((m) => !ours.includes(m)).map((m) => m.vip.toString());
    const mine = this.vips.map(String).join(', ');
    const heartbeats = `${via === 'tcp' ? 'TCP' : 'multicast'} heartbeats from ${remote}`;
    // a group listed differently there: the addresses both run still elect; the rest cannot, and is said loudly
    const regrouped = others.filter((v) => this.grouped.has(v)).map((v) => `${v} (in group ${this.grouped.get(v)!} here)`);
    const mismatch = regrouped.length > 0 ? { reason: 'group-mismatch', detail: `${heartbeats} run ${regrouped.join(', ')} as an election of its own: give every node the same groups` } : undefined;
    if (ours.length === 0) return mismatch ? { kind: 'rejected', ...mismatch } : rejected('foreign-address', `ignoring ${heartbeats}: it manages ${others.join(', ')}, not ${mine}`);
    const foreign = mismatch ?? (others.length > 0 ? { reason: 'foreign-address', detail: `ignoring part of ${heartbeats}: this node does not run ${others.join(', ')}` } : undefined);
    return { kind: 'heartbeat', msg: ours[0]!, msgs: ours, via, remote, asksTcp: (opened.data as Record<string, unknown>)[ASK_TCP] === 1, ...(foreign ? { foreign } : {}) };
  }
}

function rejected(reason: string, detail: string): Inbound {
  return { kind: 'rejected', reason, detail };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The authenticator's reason, up to its first ':' or '(', as a metric label: "bad MAC" is bad-mac, "stale: ..." stale. */
function authReason(reason: string): string {
  return reason.split(/[:(]/)[0]!.trim().replace(/\s+/g, '-').toLowerCase();
}

function vipsOf(settings: NodeSettings): IpAddress[] {
  return unitsOf(settings).map((u) => u.addresses[0]!.ip);
}

function groupedOf(settings: NodeSettings): Map<string, string> {
  return new Map(unitsOf(settings).flatMap((u) => u.addresses.slice(1).map((a): [string, string] => [a.ip.toString(), u.name])));
}
