import type { HeartbeatMessage, Ipv4Address } from '../../domain/index.js';
import type { NodeSettings } from '../node-settings.js';

/**
 * How a heartbeat reached this node, for the rules that must not trust a datagram anyone on the segment can forge:
 * a goodbye or a release is believed without a probe only on the sender's own TCP connection, or when signed.
 */
export interface HeartbeatOrigin {
  /** 'tcp': on a connection from the sender's own address; 'group': a multicast datagram. */
  readonly via: 'tcp' | 'group';
  /** Its MAC verified with a shared key (auth on). */
  readonly signed: boolean;
}

export interface TransportListener {
  onHeartbeat(message: HeartbeatMessage, origin: HeartbeatOrigin): void;
  /** The peer's host is up but nothing listens on its echo port any more: its daemon is gone. */
  onPeerLost(id: Ipv4Address, detail: string): void;
}

/** Carries heartbeats between nodes (TCP echo connections and multicast). */
export interface PeerTransportPort {
  start(listener: TransportListener): Promise<void>;
  /**
   * Resolves once the message is handed to every open channel. `everyChannel`: a message that must arrive goes
   * over every TCP link too, even where the group would carry it. Several messages (one per address) go as one frame.
   */
  send(message: HeartbeatMessage | readonly HeartbeatMessage[], options?: { readonly everyChannel?: boolean }): Promise<void>;
  /**
   * Where several addresses share the transport: the delay to use for a heartbeat tick asked for in `ms`, moved
   * earlier (by at most half) onto another address's tick, so their heartbeats share a frame. Absent: `ms`.
   */
  alignTick?(ms: number): number;
  stop(): Promise<void>;
  /** New timers on a live reload; the port, group and peers do not change there. */
  reconfigure?(settings: NodeSettings): void;
}
export const PEER_TRANSPORT_PORT = Symbol.for('floatip.PeerTransportPort');
