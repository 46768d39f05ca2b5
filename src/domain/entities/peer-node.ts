import type { WireState } from '../node-state.js';
import type { Ipv4Address } from '../value-objects/ipv4-address.js';
import type { HeartbeatMessage } from '../heartbeat-message.js';
import type { EchoTiming } from '../timing/echo-timing.js';

/** refused: its daemon's echo port refused a reconnect; host-silent: its host answered no probe (host_timeout_in_ms). */
export type LossReason = 'refused' | 'stopping' | 'host-silent';

/** More heartbeats than a live peer sends between two of its TCP frames, however its timers are set. */
const SEQ_JUMP_TOLERANCE = 1000;
/** How far behind the newest heartbeat its copy on the other channel may arrive. */
const LATE_COPY_SPAN = 2;

/** What changed when a heartbeat arrived, for the election to react at once instead of at the next tick. */
export type PeerChange = 'joined' | 'became-master' | 'released' | 'stopping' | 'returned' | 'stale' | 'none';

/** Another node as this one last heard it. */
export class PeerNode {
  private lostAt: number | null = null;
  private lossReason: LossReason | null = null;
  private aliveFrom: number;
  /** When its claim to hold the address was last found untrue on the wire (see refuteClaim). */
  private refutedAt: number | null = null;
  private confirmedTerm: number | null = null;
  private passedOverAt: number | null = null;
  /** Whether lastSeq came on a channel that can be believed (see observe). */
  private seqTrusted = true;
  /** Whether its last goodbye or release came on its own TCP connection or signed (see releaseVerified). */
  private releaseTrusted = true;

  private constructor(
    readonly id: Ipv4Address,
    private current: { priority: number; state: WireState; term: number; preempt: boolean },
    private lastSeen: number,
    private lastSeq: number,
  ) {
    this.aliveFrom = lastSeen;
  }

  static fromHeartbeat(msg: HeartbeatMessage, now: number): PeerNode {
    return new PeerNode(msg.id, { priority: msg.priority, state: msg.state, term: msg.term, preempt: msg.preempt }, now, msg.seq);
  }

  get priority(): number {
    return this.current.priority;
  }
  get state(): WireState {
    return this.current.state;
  }
  get term(): number {
    return this.current.term;
  }
  get preempt(): boolean {
    return this.current.preempt;
  }
  get lastSeenAt(): number {
    return this.lastSeen;
  }
  /**
   * A goodbye or a release is believed without a probe only when it came on the peer's own TCP connection or was
   * signed: a datagram on the group can come from anyone on the segment with the peer's address.
   */
  get releaseVerified(): boolean {
    return this.releaseTrusted;
  }

  get lost(): { at: number; reason: LossReason } | null {
    return this.lostAt === null || this.lossReason === null ? null : { at: this.lostAt, reason: this.lossReason };
  }

  /**
   * 'stale': an older heartbeat than one already heard from this live peer, such as TCP frames queued during a
   * partition and delivered after it healed; it must not undo what newer ones said. A restarted daemon counts from
   * 1 again, but it starts in INIT, and a peer silent for the timeout is heard afresh whatever it counts.
   * `trusted`: it came on the peer's own TCP connection, or signed. A datagram on the group with a made-up sequence
   * number far ahead must not make the real peer's heartbeats stale: on its own connection the peer stays alive,
   * and one far enough behind an untrusted number replaces it.
   */
  observe(msg: HeartbeatMessage, now: number, timing: EchoTiming, trusted = true): PeerChange {
    const was = this.current.state;
    // The same heartbeat again on a channel that can be believed (the TCP copy of a datagram that came first):
    // a goodbye or a release heard on the group is confirmed.
    if (msg.seq === this.lastSeq && trusted && !this.releaseTrusted && msg.state === was) {
      this.releaseTrusted = true;
      return was === 'STOPPING' ? 'stopping' : 'released';
    }
    const wasAlive = this.isAlive(now, timing);
    if (msg.seq <= this.lastSeq && msg.state !== 'INIT' && wasAlive) {
      const behind = trusted && !this.seqTrusted ? this.lastSeq - msg.seq : 0;
      if (behind <= SEQ_JUMP_TOLERANCE) {
        // Far behind a number heard only on the group: the peer is alive, whatever that datagram said. A copy of a
        // heartbeat already heard (a step or two behind) is no news, and must not outlive the lease it renewed.
        if (behind > LATE_COPY_SPAN) this.lastSeen = now;
        return 'stale';
      }
    }
    this.lastSeq = msg.seq;
    this.seqTrusted = trusted;
    this.current = { priority: msg.priority, state: msg.state, term: msg.term, preempt: msg.preempt };
    this.lastSeen = now;
    if (msg.state === 'STOPPING') {
      if (was !== 'STOPPING') this.releaseTrusted = trusted;
      this.markLost('stopping', now);
      return was === 'STOPPING' ? 'none' : 'stopping';
    }
    const returned = !wasAlive;
    if (returned) {
      this.lostAt = null;
      this.lossReason = null;
      this.aliveFrom = now;
      // back from silence or death: its claim to hold the address is checked again (a replay speaks in its name)
      this.confirmedTerm = null;
    }
    // A peer coming back from silence or death is news of its own; what it held before is stale.
    if (returned) return 'returned';
    if (was === 'MASTER' && msg.state !== 'MASTER') {
      this.releaseTrusted = trusted;
      return 'released';
    }
    if (was !== 'MASTER' && msg.state === 'MASTER') return 'became-master';
    return 'none';
  }

  /**
   * It said it is master, but the address did not answer from its host: for `forMs` its claim does not count, so
   * that another rival (the real one, after a heal) can be checked meanwhile.
   */
  refuteClaim(now: number): void {
    this.refutedAt = now;
  }

  claimRefuted(now: number, forMs: number): boolean {
    return this.refutedAt !== null && now - this.refutedAt < forMs;
  }

  /** Its claim to hold the address in `term` was seen true on the wire: not checked again in that term. */
  confirmClaim(term: number): void {
    this.confirmedTerm = term;
    this.refutedAt = null;
  }

  claimConfirmed(): boolean {
    return this.confirmedTerm === this.current.term;
  }

  /**
   * It outranked this node but did not take the address over when it was its turn (a forged better backup, or a
   * node that cannot): for `forMs` it is not waited for, nor handed the address.
   */
  passOver(now: number): void {
    this.passedOverAt = now;
  }

  passedOver(now: number, forMs: number): boolean {
    return this.passedOverAt !== null && now - this.passedOverAt < forMs;
  }

  markLost(reason: LossReason, now: number): void {
    if (this.lossReason !== null) return;
    this.lossReason = reason;
    this.lostAt = now;
  }

  /** A loss for `reason` found untrue: the peer counts as it did before it (alive while heard recently enough). */
  unmarkLost(reason: LossReason): void {
    if (this.lossReason !== reason) return;
    this.lossReason = null;
    this.lostAt = null;
  }

  /** Heard within its state's window (a backup speaks less often: see EchoTiming.aliveWindowMs), and not lost. */
  isAlive(now: number, timing: EchoTiming): boolean {
    const window = timing.aliveWindowMs(this.current.state);
    return this.lossReason === null && now - this.lastSeen < window;
  }

  /** How long it has been heard without a gap, so that a node that just appeared does not preempt at once. */
  aliveFor(now: number): number {
    return now - this.aliveFrom;
  }

  silentFor(now: number): number {
    return now - this.lastSeen;
  }
}
