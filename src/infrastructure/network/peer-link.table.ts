import type { Socket } from 'node:net';
import type { TimerHandle } from '../../application/index.js';
import type { Ipv4Address } from '../../domain/index.js';

/** Links to peers heard, beyond the configured ones: spoofed or stray senders cannot make the table grow past it. */
export const MAX_DIALLED_PEERS = 64;

/** Where one link is in its life; exactly one socket or one timer at a time. */
export type LinkState =
  /** Not dialled yet, or closed for good (evicted, expired, stopped). */
  | { readonly kind: 'idle' }
  /**
   * `confirming`: the link just dropped, and this dial decides whether the peer's daemon is gone; `rechecks`: for a dial
   * right after a drop, how many such dials came before it, each ended without an answer either way
   * (PeerDialer.recheck); null for any other dial.
   */
  | { readonly kind: 'dialling'; readonly socket: Socket; readonly confirming: boolean; readonly rechecks: number | null; readonly timer: TimerHandle; lastError: string }
  | { readonly kind: 'connected'; readonly socket: Socket; readonly since: number; readonly rechecks: number | null }
  /**
   * Waiting out a backoff: after a dial that never connected (`unreachable`: the peer's daemon may be starting), or
   * after a link the peer closed before it was healthy (`closed`: it refuses what we send).
   */
  | { readonly kind: 'waiting'; readonly failure: 'unreachable' | 'closed'; readonly confirming: boolean; readonly retry: TimerHandle };

export interface PeerLink {
  readonly id: Ipv4Address;
  /** From `peers:`: kept for good, never evicted. */
  readonly configured: boolean;
  state: LinkState;
  lastDialAt: number;
  /** Dials that failed, or links that closed before they were healthy, in a row: how long the next dial waits. */
  failures: number;
  /** When a valid heartbeat of this peer last arrived (group or TCP), on the group, and asking for TCP. */
  lastHeardAt: number;
  heardOnGroupAt: number;
  askedForTcpAt: number;
  /** When a heartbeat last went out on this link, and in which state. */
  lastSentAt: number;
  lastSentState: string;
}

/** The links by peer address: bounded, and dialled peers that fall silent expire. */
export class PeerLinkTable {
  private readonly links = new Map<number, PeerLink>();
  private dialled = 0;

  get size(): number {
    return this.links.size;
  }

  get(id: number): PeerLink | undefined {
    return this.links.get(id);
  }

  values(): IterableIterator<PeerLink> {
    return this.links.values();
  }

  /**
   * A new link, or null when the table is full. A full table first gives up the dialled link heard longest ago
   * that is not connected (`evict` closes it): a live peer replaces a stray one, and never the other way round.
   */
  add(id: Ipv4Address, configured: boolean, now: number, evict: (link: PeerLink) => void): PeerLink | null {
    if (!configured && this.dialled >= MAX_DIALLED_PEERS) {
      let oldest: PeerLink | null = null;
      for (const l of this.links.values()) if (!l.configured && l.state.kind !== 'connected' && (!oldest || l.lastHeardAt < oldest.lastHeardAt)) oldest = l;
      if (!oldest) return null;
      this.delete(oldest);
      evict(oldest);
    }
    const link: PeerLink = {
      id,
      configured,
      state: { kind: 'idle' },
      lastDialAt: -Infinity,
      failures: 0,
      lastHeardAt: now,
      heardOnGroupAt: -Infinity,
      askedForTcpAt: -Infinity,
      lastSentAt: 0,
      lastSentState: '',
    };
    this.links.set(id.toNumber(), link);
    if (!configured) this.dialled++;
    return link;
  }

  delete(link: PeerLink): void {
    if (this.links.get(link.id.toNumber()) !== link) return;
    this.links.delete(link.id.toNumber());
    if (!link.configured) this.dialled--;
  }

  expired(link: PeerLink, now: number, expiryMs: number): boolean {
    return !link.configured && now - link.lastHeardAt > expiryMs;
  }

  clear(): void {
    this.links.clear();
    this.dialled = 0;
  }
}
