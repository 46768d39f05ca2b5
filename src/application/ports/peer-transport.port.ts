import type { HeartbeatMessage, Ipv4Address } from '../../domain/index.js';
import type { NodeSettings } from '../node-settings.js';

export interface TransportListener {
  onHeartbeat(message: HeartbeatMessage): void;
  /** The peer's host is up but nothing listens on its echo port any more: its daemon is gone. */
  onPeerLost(id: Ipv4Address, detail: string): void;
}

/** Carries heartbeats between nodes (TCP echo connections and multicast). */
export interface PeerTransportPort {
  start(listener: TransportListener): Promise<void>;
  /**
   * Resolves once the message is handed to every open channel. `everyChannel`: a message that must arrive goes
   * over every TCP link too, even where the group would carry it.
   */
  send(message: HeartbeatMessage, options?: { readonly everyChannel?: boolean }): Promise<void>;
  stop(): Promise<void>;
  /** New timers on a live reload; the port, group and peers do not change there. */
  reconfigure?(settings: NodeSettings): void;
}
export const PEER_TRANSPORT_PORT = Symbol.for('floatip.PeerTransportPort');
