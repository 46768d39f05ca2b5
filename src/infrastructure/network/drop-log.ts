import { LogThrottle, type ClockPort, type LoggerPort, type MetricsPort } from '../../application/index.js';

export const DROP_LOG_LIMITS = {
  /** Log at most this many dropped inputs a minute; the rest are counted. */
  perMinute: 10,
  /**
   * Heartbeats of another floating address (a neighbouring group on the same multicast binding, as INFINI's default
   * allows) come for good: a few lines per ten minutes, on their own budget, so they never hide other drops.
   */
  foreignAddressPerTenMinutes: 3,
  /** A peer that groups addresses differently is a configuration to fix, said on every frame: its own budget too. */
  groupMismatchPerTenMinutes: 3,
};

/**
 * Why an input was refused. `reason` is the label of floatip_heartbeats_rejected_total (foreign-source, bad-frame,
 * bad-fields, impostor, foreign-address, group-mismatch, idle, connection-limit, or the authenticator's: unsigned, bad-mac, stale,
 * replayed, ...); `detail` is the log line.
 */
export interface Rejection {
  readonly reason: string;
  readonly detail: string;
}

/** Every refused input is counted by reason; its log line is written within a budget, so a flood costs a bounded log. */
export class DropLog {
  private readonly dropLog: LogThrottle;
  private readonly foreignLog: LogThrottle;
  private readonly mismatchLog: LogThrottle;

  constructor(
    private readonly logger: LoggerPort,
    private readonly metrics: MetricsPort,
    clock: ClockPort,
  ) {
    const now = (): number => clock.now();
    this.dropLog = new LogThrottle(DROP_LOG_LIMITS.perMinute, now);
    this.foreignLog = new LogThrottle(DROP_LOG_LIMITS.foreignAddressPerTenMinutes, now, 600_000);
    this.mismatchLog = new LogThrottle(DROP_LOG_LIMITS.groupMismatchPerTenMinutes, now, 600_000);
  }

  reject(r: Rejection): void {
    this.metrics.heartbeatRejected(r.reason);
    if (r.reason === 'foreign-address') this.foreignLog.write((l) => this.logger.warn(l), r.detail, 'heartbeats naming another address');
    else if (r.reason === 'group-mismatch') this.mismatchLog.write((l) => this.logger.error(l), r.detail, 'heartbeats grouping addresses differently');
    else this.dropLog.write((l) => this.logger.warn(l), r.detail, 'bad inputs');
  }
}
