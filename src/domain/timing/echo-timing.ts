import { InvalidValueError } from '../errors.js';
import type { WireState } from '../node-state.js';

/** The two echo settings every period below derives from, and the conflict probe's deadline. */
export interface EchoTimingInput {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** How long a conflict probe (ARP and ping) may take before it says "nobody answers"; 150 ms by default. */
  readonly probeDeadlineMs?: number;
  /**
   * echo.host_timeout_in_ms: a master whose host answers no kernel-level probe (ICMP echo) and sends no heartbeat
   * for this long is down, whatever the timeout. Absent: off.
   */
  readonly hostTimeoutMs?: number | null;
}

/**
 * Shortest cold-start listen window: nodes "started together" are seldom closer than a Node.js start-up. Eight
 * nodes started at once on two cores came up within 160 ms of each other (the bundled command starts in about 0.2 s).
 */
const MIN_LISTEN_MS = 500;
/** How much earlier than its own deadline the pre-expiry probe starts (process start-up under load). */
const PRE_PROBE_MARGIN_MS = 50;
const DEFAULT_PROBE_DEADLINE_MS = 150;
/** The least lateness that counts as a stall (see lateDeadlineMs): more than timer lag on a busy two-core host. */
const LATE_DEADLINE_MIN_MS = 50;
/** A backup that hears its master counts as alive this many timeouts: it speaks once per timeout. */
const BACKUP_ALIVE_TIMEOUTS = 2.5;
/** A peer silent this many timeouts, and at least a minute, is forgotten. */
const FORGET_AFTER_TIMEOUTS = 10;
const FORGET_AFTER_MIN_MS = 60_000;
/** A claim to hold the address found untrue on the wire does not count for this many timeouts. */
const CLAIM_REFUTED_TIMEOUTS = 2;
/** A better node that did not take over when it was its turn is passed over for this many timeouts. */
const PASSED_OVER_TIMEOUTS = 10;
/** Checks of another node's claim on the wire are at least this far apart, whatever the interval. */
const MIN_CHECK_GAP_MS = 50;
/** Shortest heartbeat period of a master that hears no peer. */
const LONELY_MIN_MS = 10;
/** An inbound connection that carries nothing valid for this many intervals (and at least a second) is idle. */
const IDLE_INTERVALS = 3;
const IDLE_MIN_MS = 1000;
/** A dialled peer not heard for this many quiet periods is forgotten by the transport; a configured one never is. */
const LINK_EXPIRY_QUIET_PERIODS = 5;
/** A master's host is probed this many times per host timeout: one lost echo or reply is no silence. */
const HOST_PROBES_PER_TIMEOUT = 8;
const HOST_PROBE_MIN_MS = 10;
/** The shortest host timeout: a few probes, each with a LAN's round trip, must fit in it. */
export const MIN_HOST_TIMEOUT_MS = 50;

/**
 * Every period of the failover rules, from `echo.interval_in_ms` and `echo.timeout_in_ms`: who speaks how often,
 * how long silence means alive, when a lease runs out and how early its expiry is prepared. The rules ask this
 * model; no other file multiplies the echo settings.
 *
 * Speaking: the master and a starting node send every interval; a backup that hears its master once per quiet
 * period (the timeout); a backup that hears none three times per timeout. Listening: a backup is alive for 2.5
 * timeouts, any other state for one timeout.
 */
export class EchoTiming {
  /** Delay of the second gratuitous ARP burst, for neighbours that missed the first. */
  static readonly REANNOUNCE_DELAY_MS = 3000;
  /** Probe deadline when the holder's daemon is known dead on a live host; ARP on one segment answers in well under 1 ms. */
  static readonly QUICK_PROBE_MS = 30;
  /** How long a goodbye heard only on the group waits for its copy on the sender's TCP connection before a probe. */
  static readonly UNVERIFIED_RELEASE_WAIT_MS = 25;
  /** How long the loser of a split brain keeps the address after telling the winner, for the winner's announcement. */
  static readonly SPLIT_BRAIN_YIELD_MS = 25;

  private constructor(
    readonly intervalMs: number,
    readonly timeoutMs: number,
    readonly probeDeadlineMs: number,
    /** echo.host_timeout_in_ms, or null: off */
    readonly hostTimeoutMs: number | null,
  ) {}

  static create(input: EchoTimingInput): EchoTiming {
    const { intervalMs, timeoutMs } = input;
    const probeDeadlineMs = input.probeDeadlineMs ?? DEFAULT_PROBE_DEADLINE_MS;
    const hostTimeoutMs = input.hostTimeoutMs ?? null;
    for (const [key, v] of [['interval', intervalMs], ['timeout', timeoutMs], ['probe deadline', probeDeadlineMs]] as const) {
      if (!Number.isFinite(v) || v <= 0) throw new InvalidValueError(key, String(v), 'must be a positive number of milliseconds');
    }
    if (hostTimeoutMs !== null && (!Number.isFinite(hostTimeoutMs) || hostTimeoutMs < MIN_HOST_TIMEOUT_MS || hostTimeoutMs >= timeoutMs)) {
      throw new InvalidValueError('host timeout', String(hostTimeoutMs), `must be at least ${MIN_HOST_TIMEOUT_MS} ms and less than the timeout (${timeoutMs} ms)`);
    }
    return new EchoTiming(intervalMs, timeoutMs, probeDeadlineMs, hostTimeoutMs);
  }

  // --- start-up and preemption

  /** A node that hears no master this long after start takes over: at least half a second, at most the timeout. */
  get listenWindowMs(): number {
    return Math.min(this.timeoutMs, Math.max(3 * this.intervalMs, MIN_LISTEN_MS));
  }

  /** How long a higher-priority newcomer must be heard without a gap before it preempts: no flapping. */
  get preemptDelayMs(): number {
    return Math.min(this.timeoutMs, 3 * this.intervalMs);
  }

  // --- how often each state speaks

  /**
   * How often a backup speaks while it hears its master: once per timeout, never more often than the interval.
   * With N nodes each backup's heartbeat wakes N - 1 daemons, so this is most of the traffic of a large group.
   */
  get backupQuietPeriodMs(): number {
    return Math.max(this.intervalMs, this.timeoutMs);
  }

  /** A backup's heartbeat is due once its quiet period has passed, half an interval early for timer jitter. */
  backupDueAfterMs(graceMs = 0): number {
    return this.backupQuietPeriodMs - this.intervalMs / 2 + graceMs;
  }

  /**
   * How often the master's heartbeat also goes over each peer's TCP link, and how often a backup that hears no
   * master looks again: three times per timeout, so that a lease runs out only after three losses in a row.
   */
  get thirdOfTimeoutMs(): number {
    return Math.max(this.intervalMs, Math.floor(this.timeoutMs / 3));
  }

  /** The master's heartbeat goes over a quiet TCP link again once this long has passed (half an interval early). */
  get tcpRepeatDueAfterMs(): number {
    return this.thirdOfTimeoutMs - this.intervalMs / 2;
  }

  /** A master with peers that hears none of them speaks four times per interval, so a heal is noticed soon. */
  get lonelyMasterPeriodMs(): number {
    return Math.max(LONELY_MIN_MS, this.intervalMs / 4);
  }

  // --- how long silence means alive

  /** A peer in `state` heard less than this long ago is alive: one lost heartbeat does not make it look gone. */
  aliveWindowMs(state: WireState): number {
    return state === 'BACKUP' ? BACKUP_ALIVE_TIMEOUTS * this.timeoutMs : this.timeoutMs;
  }

  /**
   * Heard when its next heartbeat was due, with an interval to spare. Stricter than alive: for a master deciding
   * whether anyone still hears it.
   */
  heardWhenDueMs(state: WireState): number {
    return state === 'BACKUP' ? this.backupQuietPeriodMs + this.intervalMs : this.timeoutMs;
  }

  /**
   * How long a peer heard on the multicast group counts as reached there: one and a half quiet periods, so one
   * missed heartbeat ends it, well before the peer counts as gone.
   */
  get groupHeardWindowMs(): number {
    return 1.5 * this.backupQuietPeriodMs;
  }

  /** How long an inbound connection may carry nothing valid before it counts as idle. */
  get idleLimitMs(): number {
    return Math.max(IDLE_INTERVALS * this.intervalMs, IDLE_MIN_MS);
  }

  /** A dialled peer silent this long is no longer dialled (a configured peer always is). */
  get linkExpiryMs(): number {
    return LINK_EXPIRY_QUIET_PERIODS * this.backupQuietPeriodMs;
  }

  /** A peer silent this long is forgotten: far longer than any of them may be silent and alive. */
  get forgetAfterMs(): number {
    return Math.max(FORGET_AFTER_TIMEOUTS * this.timeoutMs, FORGET_AFTER_MIN_MS, BACKUP_ALIVE_TIMEOUTS * this.timeoutMs);
  }

  // --- the lease and its expiry

  /** A lease granted on a master's heartbeat lasts one timeout. */
  get leaseMs(): number {
    return this.timeoutMs;
  }

  /** How long before the lease runs out the pre-expiry conflict probe starts. */
  get probeLeadMs(): number {
    return this.probeDeadlineMs + PRE_PROBE_MARGIN_MS;
  }

  /** Slack kept between the pre-expiry probe and the lease's end. */
  get preProbeMarginMs(): number {
    return PRE_PROBE_MARGIN_MS;
  }

  /** A pre-expiry probe older than this says nothing about the address now. */
  get preProbeFreshMs(): number {
    return 2 * this.probeLeadMs;
  }

  /** Whether a lease is long enough for a backup to sleep until its probe lead (no tick of its own). */
  get leaseOutlastsProbe(): boolean {
    return this.timeoutMs - this.probeLeadMs >= this.intervalMs;
  }

  /** The probe deadline when the holder's daemon is known to be gone on a live host. */
  get quickProbeMs(): number {
    return Math.min(EchoTiming.QUICK_PROBE_MS, this.probeDeadlineMs);
  }

  // --- the master's host (echo.host_timeout_in_ms)

  /** How often a backup probes its master's host: several times per host timeout. */
  get hostProbeIntervalMs(): number | null {
    return this.hostTimeoutMs === null ? null : Math.max(HOST_PROBE_MIN_MS, Math.floor(this.hostTimeoutMs / HOST_PROBES_PER_TIMEOUT));
  }

  /**
   * A host-silence deadline that fires later than this was late because this daemon stalled: answers may wait
   * unread in its pipe, so it reads them before it judges the host.
   */
  get hostDeadlineSlackMs(): number {
    return this.hostProbeIntervalMs ?? 0;
  }

  // --- claims, rivals and turns

  /** How long a claim to hold the address found untrue on the wire does not count; checked again after one timeout. */
  get claimRefutedMs(): number {
    return CLAIM_REFUTED_TIMEOUTS * this.timeoutMs;
  }

  /** A master's claim found true is looked at again once it is this old: a replay may speak in its name. */
  get claimRecheckAfterMs(): number {
    return this.timeoutMs;
  }

  /** How long a better node that did not take over when it was its turn is passed over. */
  get passedOverMs(): number {
    return PASSED_OVER_TIMEOUTS * this.timeoutMs;
  }

  /** How long a backup waits for a better node to take over before passing it over. */
  get waitForTurnMs(): number {
    return 2 * this.timeoutMs;
  }

  /** Gap between two looks at a master's claim before a backup stops following it. */
  get claimCheckGapMs(): number {
    return Math.max(this.intervalMs / 2, MIN_CHECK_GAP_MS);
  }

  /** Gap between two looks at a rival master's claim before a master ignores it. */
  get rivalCheckGapMs(): number {
    return Math.max(this.intervalMs / 4, MIN_CHECK_GAP_MS);
  }

  /** How long the loser of a split brain keeps the address after telling the winner. */
  get splitBrainYieldMs(): number {
    return Math.min(this.intervalMs, EchoTiming.SPLIT_BRAIN_YIELD_MS);
  }

  /** A witness that last answered longer ago than this counts as unreachable. */
  get witnessStaleMs(): number {
    return this.timeoutMs;
  }

  /**
   * Quorum mode: how long a peer in `state` whose echo port refused a reconnect must then stay silent before its
   * lease is revoked: two of its heartbeats (a master or a starting node speaks every interval, a backup once per
   * quiet period), with an interval to spare for a backup. Whatever reset this node's link to it (a forged reset,
   * a firewall that rejects the port), a live daemon's heartbeats on the group or on its own connection still come;
   * only one that also drops them all makes it look dead. Peers are assumed to run the same timing.
   */
  goneConfirmMs(state: WireState): number {
    return state === 'MASTER' || state === 'INIT' ? 2 * this.intervalMs : this.backupQuietPeriodMs + this.intervalMs;
  }

  /** Actions a master repeats on demand (reassert, forget neighbours) at most once per interval. */
  get repeatAtMostMs(): number {
    return this.intervalMs;
  }

  /**
   * A deadline met this much after it was due was met by a daemon that stalled (SIGSTOP, a starved CPU) for half a
   * timeout or more: its peers' heartbeats may wait unread, and the address may have moved meanwhile, so what the
   * deadline was for is stale.
   */
  get lateDeadlineMs(): number {
    // a stall this short cannot have let a backup take over (that takes a lease of silence), and ordinary
    // event-loop lag on a busy host stays well under it
    return Math.max(LATE_DEADLINE_MIN_MS, this.timeoutMs / 2);
  }
}
