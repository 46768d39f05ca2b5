import { connect } from 'node:net';
import { LogThrottle, backupQuietPeriodMs, type LoggerPort, type NodeSettings } from '../../application/index.js';
import type { Ipv4Address } from '../../domain/index.js';
import { PeerLinkTable, type PeerLink } from './peer-link.table.js';
import { healthyLinkMs, redialBaseMs, redialDelayMs } from './redial-backoff.js';

export interface DialerEvents {
  /** A link just connected: the peer cuts off a connection that does not identify itself soon. */
  connected(link: PeerLink): void;
  /** The link dropped and the redial was refused: the peer's host is up but its daemon is gone. */
  lost(id: Ipv4Address, detail: string): void;
}

/**
 * Keeps one outbound TCP link to each peer heard (and each configured one): dials, redials with a backoff, and
 * forgets dialled peers that fell silent.
 */
export class PeerDialer {
  readonly links = new PeerLinkTable();
  private stopped = false;
  /** Lines caused by what peers do, within a budget; the debug lines on their own, so they never use up the warnings'. */
  private readonly log = new LogThrottle(10, Date.now);
  private readonly debugLog = new LogThrottle(10, Date.now);

  constructor(
    private readonly settings: () => NodeSettings,
    private readonly logger: LoggerPort,
    private readonly events: DialerEvents,
  ) {}

  /** A valid heartbeat of `id` arrived: its link is kept (or made), and a link waiting out a failed dial tries now. */
  heard(id: Ipv4Address, via: 'tcp' | 'group'): PeerLink | null {
    const link = this.ensure(id, false);
    if (!link) return null;
    const now = Date.now();
    link.lastHeardAt = now;
    if (via === 'group') link.heardOnGroupAt = now;
    // Heard while its dials failed: its daemon is (back) up, so dial now rather than at the end of the backoff; at
    // most once a base period. A peer that accepts and closes our links (it refuses what we send) keeps waiting.
    if (link.retry && link.lastFailure === 'unreachable' && now - link.lastDialAt >= this.baseMs()) this.dial(link, link.confirming);
    return link;
  }

  ensure(id: Ipv4Address, configured: boolean): PeerLink | null {
    if (this.stopped || id.equals(this.settings().localIp)) return null;
    const existing = this.links.get(id.toNumber());
    if (existing) return existing;
    const link = this.links.add(id, configured, Date.now(), (evicted) => this.close(evicted));
    if (!link) {
      this.log.write((l) => this.logger.warn(l), `not dialling ${id.toString()}: ${this.links.size} heartbeat links are open`, 'link messages');
      return null;
    }
    this.dial(link, false);
    return link;
  }

  /** Forgets the link if its (dialled) peer has been silent for a few timeouts; true when it did. */
  expire(link: PeerLink, now: number): boolean {
    if (!this.links.expired(link, now, backupQuietPeriodMs(this.settings().echo))) return false;
    this.links.delete(link);
    this.close(link);
    return true;
  }

  /**
   * The peer's own connection to us closed (not by us): check at once whether its daemon is still there, unless
   * we dialled a moment ago: a peer that keeps reconnecting must not make us dial as often.
   */
  peerClosed(id: number): void {
    const link = this.links.get(id);
    if (link && !link.connected && !link.socket && Date.now() - link.lastDialAt >= this.baseMs()) this.dial(link, true);
  }

  /** A peer that does not read what we send: drop the link, and redial. */
  stuck(link: PeerLink): void {
    this.log.write((l) => this.logger.warn(l), `peer ${link.id.toString()} is not reading its heartbeats; reconnecting`, 'link messages');
    link.socket?.destroy();
  }

  start(): void {
    this.stopped = false;
  }

  stop(): void {
    this.stopped = true;
    for (const link of this.links.values()) {
      if (link.retry) clearTimeout(link.retry);
      link.socket?.end();
      link.socket?.destroySoon();
    }
    this.links.clear();
  }

  private baseMs(): number {
    return redialBaseMs(this.settings().echo.intervalMs);
  }

  private close(link: PeerLink): void {
    if (link.retry) clearTimeout(link.retry);
    link.retry = null;
    link.connected = false;
    link.socket?.destroy();
    link.socket = null;
  }

  private dial(link: PeerLink, confirming: boolean): void {
    if (this.stopped) return;
    if (link.retry) clearTimeout(link.retry);
    link.retry = null;
    link.confirming = confirming;
    link.lastError = '';
    link.lastDialAt = Date.now();
    const { localIp, echo } = this.settings();
    const socket = connect({ host: link.id.toString(), port: echo.port, localAddress: localIp.toString() });
    link.socket = socket;
    socket.setNoDelay(true);
    const dialTimer = setTimeout(() => {
      link.lastError = 'ETIMEDOUT';
      socket.destroy();
    }, echo.dialTimeoutMs);
    socket.on('connect', () => {
      clearTimeout(dialTimer);
      link.connected = true;
      link.connectedAt = Date.now();
      link.confirming = false;
      this.events.connected(link);
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
        if (Date.now() - link.connectedAt >= healthyLinkMs(this.settings().echo.intervalMs)) {
          link.failures = 0;
          link.lastFailure = null;
          this.debugLog.write((l) => this.logger.debug(l), `heartbeat link to ${link.id.toString()} closed; dialling again to tell a dead daemon from a network fault`, 'link messages');
          this.dial(link, true);
        } else {
          // accepted, then closed at once: the peer refuses what we send; a refused redial still means it is gone
          this.retryLater(link, 'closed', true);
        }
        return;
      }
      if (link.confirming && link.lastError === 'ECONNREFUSED') {
        this.events.lost(link.id, `connection dropped and ${link.id.toString()}:${echo.port} refused a new one`);
      }
      this.retryLater(link, 'unreachable', false);
    });
  }

  private retryLater(link: PeerLink, failure: 'unreachable' | 'closed', confirming: boolean): void {
    link.failures++;
    link.lastFailure = failure;
    link.confirming = confirming;
    link.retry = setTimeout(() => {
      link.retry = null;
      if (!this.expire(link, Date.now())) this.dial(link, link.confirming);
    }, redialDelayMs(link.failures, this.settings().echo.intervalMs));
  }
}
