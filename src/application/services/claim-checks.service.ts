import type { EchoTiming, FloatingAddress, Ipv4Address, PeerNode } from '../../domain/index.js';
import { errorText } from '../errors.js';
import type { LogThrottle } from '../log-throttle.js';
import type { LoggerPort } from '../ports/logger.port.js';
import type { MetricsPort } from '../ports/metrics.port.js';
import type { VerifyHolder } from '../use-cases/verify-holder.use-case.js';

/** Checks in a row, a quarter interval apart, that must find a rival master's claim untrue before a master ignores it. */
const RIVAL_MISSES = 2;
/** Checks of a master's claim that must all find it untrue before a backup stops following it. */
const CLAIM_MISSES = 3;

/** What the checks read of their node, and what they ask of it. */
export interface ClaimCheckHost {
  now(): number;
  timing(): EchoTiming;
  address(): FloatingAddress;
  stopped(): boolean;
  /** Whether this node's conflict probe can tell which host answers (no MACs: no claim is checked). */
  resolvesMacs(): boolean;
  peer(id: Ipv4Address): PeerNode | undefined;
  /** The lease this node granted `peer`, if any, runs out now. */
  revokeLeaseOf(peer: PeerNode): void;
  evaluate(): void;
  /** Look again after the rival-check gap (one pending look at a time). */
  recheckSoon(): void;
  reassert(reason: string): void;
  sleep(ms: number): Promise<void>;
}

/**
 * Anyone on the segment can send a heartbeat that says MASTER: a claim to hold the address is looked at on the wire
 * (VerifyHolder: does the address answer from the claimant's host?) before it is followed or given way to.
 */
export class ClaimChecks {
  private masterCheck: Promise<void> | null = null;
  private lastRivalCheckAt = -Infinity;
  private rivalMisses: { rival: string; count: number } | null = null;

  constructor(
    private readonly verifyHolder: VerifyHolder,
    private readonly metrics: MetricsPort,
    private readonly logger: LoggerPort,
    private readonly noise: LogThrottle,
    private readonly host: ClaimCheckHost,
  ) {}

  /**
   * A backup checks each master's claim on the wire once per term: a claim believed blindly would keep every backup
   * waiting for a master that holds nothing. Three misses half an interval apart refute it (one lost ARP reply must
   * not): its heartbeats then grant no lease and it counts as no master for a while.
   */
  checkMaster(peer: PeerNode): void {
    const { host } = this;
    if (this.masterCheck || !host.resolvesMacs() || peer.claimRefuted(host.now(), host.timing().claimRecheckAfterMs)) return;
    const term = peer.term;
    this.masterCheck = (async () => {
      for (let miss = 0; miss < CLAIM_MISSES; miss++) {
        if (miss > 0) await host.sleep(host.timing().claimCheckGapMs);
        if (peer.state !== 'MASTER' || peer.term !== term || host.stopped()) return;
        const verdict = await this.verifyHolder.execute({ address: host.address(), claimant: peer.id });
        if (verdict.kind !== 'not-held') {
          peer.confirmClaim(term);
          return;
        }
        if (miss === CLAIM_MISSES - 1) {
          peer.refuteClaim(host.now());
          host.revokeLeaseOf(peer);
          this.metrics.addressConflict();
          this.noise.write((l) => this.logger.warn(l), `${peer.id.toString()} says it is master, but ${verdict.why}: not following it`, 'peer messages');
          host.evaluate();
        }
      }
    })()
      .catch((err: unknown) => this.logger.debug(`checking ${peer.id.toString()}'s claim failed: ${errorText(err)}`))
      .finally(() => {
        this.masterCheck = null;
      });
  }

  /**
   * Before a master gives the address up for a rival, it sees that the rival's host really answers for it. Otherwise
   * it keeps the address and announces it again, and that rival's claim is passed over for a while, so that a real
   * rival behind it is checked next. Checks are spaced apart (EchoTiming.rivalCheckGapMs), so many forged rivals cost
   * a bounded number of ARP probes.
   */
  async rivalHolds(rival: Ipv4Address): Promise<boolean> {
    const { host } = this;
    const now = host.now();
    if (now - this.lastRivalCheckAt < host.timing().rivalCheckGapMs) {
      host.recheckSoon();
      return false;
    }
    this.lastRivalCheckAt = now;
    let verdict;
    try {
      verdict = await this.verifyHolder.execute({ address: host.address(), claimant: rival });
    } catch (err) {
      // no answer either way (arping failed): look again shortly, and count no miss
      this.noise.write((l) => this.logger.warn(l), `could not check ${rival.toString()}'s claim to the address: ${errorText(err)}`, 'peer messages');
      host.recheckSoon();
      return false;
    }
    if (verdict.kind !== 'not-held') {
      this.rivalMisses = null;
      return true;
    }
    // one missed ARP reply must not keep a real split standing: a second look a little later decides
    const misses = this.rivalMisses?.rival === rival.toString() ? this.rivalMisses.count + 1 : 1;
    this.rivalMisses = { rival: rival.toString(), count: misses };
    if (misses < RIVAL_MISSES) {
      host.recheckSoon();
      return false;
    }
    this.rivalMisses = null;
    host.peer(rival)?.refuteClaim(host.now());
    this.metrics.addressConflict();
    this.noise.write((l) => this.logger.warn(l), `not stepping down for ${rival.toString()}, which says it is master: ${verdict.why}`, 'peer messages');
    host.reassert(`${rival.toString()} claims the address, but ${verdict.why}`);
    return false;
  }
}
