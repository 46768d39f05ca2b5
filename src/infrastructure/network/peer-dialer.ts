import { connect, type Socket } from 'node:net';
import { LogThrottle, echoTiming, type ClockPort, type LoggerPort, type NodeSettings, type TimerHandle } from '../../application/index.js';
import type { Ipv4Address } from '../../domain/index.js';
import { PeerLinkTable, type PeerLink } from './peer-link.table.js';
import { healthyLinkMs, redialBaseMs, redialDelayMs } from './redial-backoff.js';

/** Opens a TCP connection (node:net's connect; a test's stand-in). */
export type DialSocket = (options: { host: string; port: number; localAddress: string }) => Socket;

/**
 * A dial made to tell a dead daemon from a network fault can meet the daemon while it dies: its kernel closes our
 * link before its listening socket, so the dial is accepted and then reset, or reset while it connects. That says
 * neither "gone" nor "there", so it is made again this long after, and once more after twice that: by then the port
 * is closed and the dial refused. Otherwise the next dial waited out the backoff (a heartbeat interval), and a
 * kill -9 cost a second instead of a tenth.
 */
export const CONFIRM_RECHECK_MS = 50;
const CONFIRM_RECHECKS = 2;

export interface DialerEvents {
  /** A link just connected: the peer cuts off a connection that does not identify itself soon. */
  connected(link: PeerLink): void;
  /** The link dropped and the redial was refused: the peer's host is up but its daemon is gone. */
  lost(id: Ipv4Address, detail: string): void;
}

/**
 * Keeps one outbound TCP link to each peer heard (and each configured one): dials, redials with a backoff, and
 * forgets dialled peers that fell silent. Each link is idle, dialling, connected or waiting (see LinkState).
 */
export class PeerDialer {
  readonly links = new PeerLinkTable();
  private stopped = false;
  /** Lines caused by what peers do, within a budget; the debug lines on their own, so they never use up the warnings'. */
  private readonly log: LogThrottle;
  private readonly debugLog: LogThrottle;

  constructor(
    private readonly settings: () => NodeSettings,
    private readonly logger: LoggerPort,
    private readonly clock: ClockPort,
    private readonly events: DialerEvents,
    private readonly connectTo: DialSocket = connect,
  ) {
    const now = (): number => clock.now();
    this.log = new LogThrottle(10, now);
    this.debugLog = new LogThrottle(10, now);
  }

  /** A valid heartbeat of `id` arrived: its link is kept (or made), and a link waiting out a failed dial tries now. */
  heard(id: Ipv4Address, via: 'tcp' | 'group'): PeerLink | null {
    const link = this.ensure(id, false);
    if (!link) return null;
    const now = this.clock.now();
    link.lastHeardAt = now;
    if (via === 'group') link.heardOnGroupAt = now;
    // Heard while its dials failed: its daemon is (back) up, so dial now rather than at the end of the backoff; at
    // most once a base period. A peer that accepts and closes our links (it refuses what we send) keeps waiting.
    const s = link.state;
    if (s.kind === 'waiting' && s.failure === 'unreachable' && now - link.lastDialAt >= this.baseMs()) this.dial(link, s.confirming);
    return link;
  }

  ensure(id: Ipv4Address, configured: boolean): PeerLink | null {
    if (this.stopped || id.equals(this.settings().localIp)) return null;
    const existing = this.links.get(id.toNumber());
    if (existing) return existing;
    const link = this.links.add(id, configured, this.clock.now(), (evicted) => this.close(evicted));
    if (!link) {
      this.log.write((l) => this.logger.warn(l), `not dialling ${id.toString()}: ${this.links.size} heartbeat links are open`, 'link messages');
      return null;
    }
    this.dial(link, false);
    return link;
  }

  /** Forgets the link if its (dialled) peer has been silent for a few timeouts; true when it did. */
  expire(link: PeerLink, now: number): boolean {
    if (!this.links.expired(link, now, echoTiming(this.settings().echo).linkExpiryMs)) return false;
    this.links.delete(link);
    this.close(link);
    return true;
  }

  /**
   * The peer's own connection to us closed (not by us): check at once whether its daemon is still there, unless
   * a dial is under way or up, or we dialled a moment ago: a peer that keeps reconnecting must not make us dial as often.
   */
  peerClosed(id: number): void {
    const link = this.links.get(id);
    if (!link || link.state.kind === 'dialling' || link.state.kind === 'connected') return;
    if (this.clock.now() - link.lastDialAt >= this.baseMs()) this.dial(link, true, 0);
  }

  /** A peer that does not read what we send: drop the link, and redial. */
  stuck(link: PeerLink): void {
    this.log.write((l) => this.logger.warn(l), `peer ${link.id.toString()} is not reading its heartbeats; reconnecting`, 'link messages');
    if (link.state.kind === 'connected') link.state.socket.destroy();
  }

  start(): void {
    this.stopped = false;
  }

  stop(): void {
    this.stopped = true;
    for (const link of this.links.values()) {
      const s = link.state;
      if (s.kind === 'waiting') this.clock.clearTimeout(s.retry);
      // A dial under way keeps its timer: it still destroys a socket whose connect never completes.
      if (s.kind === 'dialling' || s.kind === 'connected') {
        s.socket.end();
        s.socket.destroySoon();
      }
    }
    this.links.clear();
  }

  private baseMs(): number {
    return redialBaseMs(this.settings().echo.intervalMs);
  }

  private close(link: PeerLink): void {
    const s = link.state;
    if (s.kind === 'waiting') this.clock.clearTimeout(s.retry);
    if (s.kind === 'dialling' || s.kind === 'connected') s.socket.destroy();
    link.state = { kind: 'idle' };
  }

  /** `rechecks`: a number for a dial right after a drop (see recheck), null for any other. */
  private dial(link: PeerLink, confirming: boolean, rechecks: number | null = null): void {
    if (this.stopped) return;
    if (link.state.kind === 'waiting') this.clock.clearTimeout(link.state.retry);
    link.lastDialAt = this.clock.now();
    const { localIp, echo } = this.settings();
    const socket = this.connectTo({ host: link.id.toString(), port: echo.port, localAddress: localIp.toString() });
    socket.setNoDelay(true);
    const timer = this.clock.setTimeout(() => {
      if (link.state.kind === 'dialling' && link.state.socket === socket) link.state.lastError = 'ETIMEDOUT';
      socket.destroy();
    }, echo.dialTimeoutMs);
    const dialling = { kind: 'dialling' as const, socket, confirming, rechecks, timer, lastError: '' };
    link.state = dialling;
    socket.on('connect', () => {
      this.clock.clearTimeout(timer);
      if (link.state !== dialling) return;
      link.state = { kind: 'connected', socket, since: this.clock.now(), rechecks };
      this.events.connected(link);
    });
    // Peers never send on our outbound link; anything arriving is discarded unread.
    socket.on('data', () => undefined);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      dialling.lastError = err.code ?? err.message;
    });
    socket.on('close', () => this.closed(link, socket, timer, echo.port));
  }

  private closed(link: PeerLink, socket: Socket, timer: TimerHandle, port: number): void {
    this.clock.clearTimeout(timer);
    const was = link.state;
    // A socket the link already let go of (closed, evicted, stopped): nothing to decide.
    if ((was.kind !== 'dialling' && was.kind !== 'connected') || was.socket !== socket) return;
    link.state = { kind: 'idle' };
    if (this.stopped || this.links.get(link.id.toNumber()) !== link) return;
    if (was.kind === 'connected') {
      if (this.clock.now() - was.since >= healthyLinkMs(this.settings().echo)) {
        link.failures = 0;
        this.debugLog.write((l) => this.logger.debug(l), `heartbeat link to ${link.id.toString()} closed; dialling again to tell a dead daemon from a network fault`, 'link messages');
        this.dial(link, true, 0);
      } else if (!this.recheck(link, was.rechecks, 'was accepted and cut at once', 'closed')) {
        // accepted, then closed at once: the peer refuses what we send; a refused redial still means it is gone
        this.retryLater(link, 'closed', true);
      }
      return;
    }
    if (was.confirming && was.lastError === 'ECONNREFUSED') {
      this.events.lost(link.id, `connection dropped and ${link.id.toString()}:${port} refused a new one`);
    } else if (was.lastError === 'ECONNRESET' && this.recheck(link, was.rechecks, 'was reset', 'unreachable')) {
      return;
    }
    this.retryLater(link, 'unreachable', false);
  }

  /** A dial after a drop that met the peer's daemon as it died: dial again soon, at most CONFIRM_RECHECKS times. */
  private recheck(link: PeerLink, rechecks: number | null, what: string, failure: 'unreachable' | 'closed'): boolean {
    // only right after a drop: a peer that keeps cutting our links (it refuses what we send) waits out the backoff
    if (rechecks === null || rechecks >= CONFIRM_RECHECKS) return false;
    this.debugLog.write((l) => this.logger.debug(l), `dial to ${link.id.toString()} after its link dropped ${what}: its daemon may be exiting; dialling again`, 'link messages');
    const retry = this.clock.setTimeout(() => {
      link.state = { kind: 'idle' };
      this.dial(link, true, rechecks + 1);
    }, CONFIRM_RECHECK_MS * 2 ** rechecks);
    link.state = { kind: 'waiting', failure, confirming: true, retry };
    return true;
  }

  private retryLater(link: PeerLink, failure: 'unreachable' | 'closed', confirming: boolean): void {
    link.failures++;
    const retry = this.clock.setTimeout(() => {
      link.state = { kind: 'idle' };
      if (!this.expire(link, this.clock.now())) this.dial(link, confirming);
    }, redialDelayMs(link.failures, this.settings().echo.intervalMs));
    link.state = { kind: 'waiting', failure, confirming, retry };
  }
}
