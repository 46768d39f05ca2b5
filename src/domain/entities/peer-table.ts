import type { HeartbeatMessage } from '../heartbeat-message.js';
import type { Ipv4Address } from '../value-objects/ipv4-address.js';
import type { EchoTiming } from '../timing/echo-timing.js';
import { PeerNode } from './peer-node.js';

/** More peers than any real group has; past it only a flood of forged sources would go. */
export const MAX_PEERS = 64;

/**
 * The peers this node has heard, bounded: forged heartbeats from many source addresses cannot grow it without
 * limit. A newcomer takes the place of the longest-silent peer that is no longer alive; live peers are never
 * pushed out, so a flood cannot make this node forget its real group.
 */
export class PeerTable {
  private readonly peers = new Map<number, PeerNode>();

  constructor(private readonly limit = MAX_PEERS) {}

  get(id: Ipv4Address): PeerNode | undefined {
    return this.peers.get(id.toNumber());
  }

  values(): PeerNode[] {
    return [...this.peers.values()];
  }

  get size(): number {
    return this.peers.size;
  }

  /**
   * A peer heard for the first time; null when the table is full of live peers. `keep`: a silent peer that must not
   * give way (the master whose lease this node still holds: its takeover needs to know who it was).
   */
  admit(msg: HeartbeatMessage, now: number, timing: EchoTiming, keep?: (p: PeerNode) => boolean): PeerNode | null {
    if (this.peers.size >= this.limit) this.forget(now, timing);
    if (this.peers.size >= this.limit) {
      let oldest: PeerNode | null = null;
      for (const p of this.peers.values()) {
        if (!p.isAlive(now, timing) && !keep?.(p) && (!oldest || p.lastSeenAt < oldest.lastSeenAt)) oldest = p;
      }
      if (!oldest) return null;
      this.peers.delete(oldest.id.toNumber());
    }
    const peer = PeerNode.fromHeartbeat(msg, now);
    this.peers.set(msg.id.toNumber(), peer);
    return peer;
  }

  /** Forgets peers silent far longer than any of them may be; returns how many. */
  forget(now: number, timing: EchoTiming): number {
    const after = timing.forgetAfterMs;
    let n = 0;
    for (const [key, p] of this.peers) {
      if (p.silentFor(now) > after) {
        this.peers.delete(key);
        n++;
      }
    }
    return n;
  }
}
