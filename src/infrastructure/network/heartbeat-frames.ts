import { LogThrottle, type LoggerPort, type MetricsPort } from '../../application/index.js';
import { parseHeartbeat, type HeartbeatMessage, type Ipv4Address } from '../../domain/index.js';
import { FrameAuthenticator } from './frame-authenticator.js';
import { encodeFrame, type RawFrame } from './frame-codec.js';

/** The JSON field of a TCP frame that asks the receiver for its heartbeats over TCP too. */
export const ASK_TCP = 'tcp';

export const DROP_LOG_LIMITS = {
  /** Log at most this many dropped inputs a minute; the rest are counted. */
  perMinute: 10,
  /**
   * Heartbeats of another floating address (a neighbouring group on the same multicast binding, as INFINI's default
   * allows) come for good: a few lines per ten minutes, on their own budget, so they never hide other drops.
   */
  foreignAddressPerTenMinutes: 3,
};

export type Admitted = { msg: HeartbeatMessage; asksTcp: boolean };

/**
 * Turns a frame off the wire into a heartbeat this node's group may act on, or drops it: counted by reason, and
 * logged within a budget, so a flood costs a bounded number of log lines.
 */
export class HeartbeatAdmission {
  private readonly dropLog = new LogThrottle(DROP_LOG_LIMITS.perMinute, Date.now);
  private readonly foreignLog = new LogThrottle(DROP_LOG_LIMITS.foreignAddressPerTenMinutes, Date.now, 600_000);

  constructor(
    private readonly vip: () => Ipv4Address,
    private readonly logger: LoggerPort,
    private readonly auth: FrameAuthenticator | null,
    private readonly metrics: MetricsPort,
  ) {}

  /** Authenticates and parses one frame; null (with the drop logged and counted) when it must be refused. */
  admit(frame: RawFrame, remote: string, via: string): Admitted | 'duplicate' | null {
    let opened;
    try {
      opened = this.auth ? this.auth.open(frame, remote) : FrameAuthenticator.openUnsigned(frame);
    } catch (err) {
      this.dropped(`dropping ${via} message from ${remote}: ${err instanceof Error ? err.message : String(err)}`, 'bad-frame');
      return null;
    }
    if (!opened.ok) {
      if (opened.duplicate) return 'duplicate';
      this.dropped(`dropping ${via} message from ${remote}: ${opened.reason}`, opened.reason.split(/[:(]/)[0]!.trim().replace(/\s+/g, '-').toLowerCase());
      return null;
    }
    const parsed = parseHeartbeat(opened.data);
    if (!parsed.ok) {
      this.dropped(`dropping ${via} message from ${remote}: ${parsed.reason}`, 'bad-fields');
      return null;
    }
    if (parsed.message.id.toString() !== remote) {
      this.dropped(`dropping ${via} message from ${remote}: it claims to be ${parsed.message.id.toString()}`, 'impostor');
      return null;
    }
    // Another group's heartbeat: it must cost no link, no peer entry and no log line per sender.
    const vip = this.vip();
    if (!parsed.message.vip.equals(vip)) {
      this.metrics.heartbeatRejected('foreign-address');
      const line = `ignoring ${via} heartbeats from ${remote}: it manages ${parsed.message.vip.toString()}, not ${vip.toString()}`;
      this.foreignLog.write((l) => this.logger.warn(l), line, 'heartbeats naming another address');
      return null;
    }
    return { msg: parsed.message, asksTcp: (opened.data as Record<string, unknown>)[ASK_TCP] === 1 };
  }

  dropped(what: string, reason: string): void {
    this.metrics.heartbeatRejected(reason);
    this.dropLog.write((l) => this.logger.warn(l), what, 'bad inputs');
  }
}

/** A heartbeat's frames, each encoded at most once per send: plain, and asking the receiver for TCP. */
export class FrameCache {
  private plain: Buffer | null = null;
  private asking: Buffer | null = null;

  constructor(
    readonly msg: HeartbeatMessage,
    private readonly auth: FrameAuthenticator | null,
  ) {}

  get(asking: boolean): Buffer {
    if (asking) return (this.asking ??= encodeFrame(this.msg, this.auth?.signer, { [ASK_TCP]: 1 }));
    return (this.plain ??= encodeFrame(this.msg, this.auth?.signer));
  }
}
