import { randomInt } from 'node:crypto';
import { type FrameSigner, type RawFrame, TYPE_HEARTBEAT, parsePayload, verifyMac } from './frame-codec.js';

export type OpenResult = { ok: true; data: unknown } | { ok: false; reason: string; duplicate?: boolean };

interface SenderMark {
  boot: number;
  seq: number;
  ts: number;
}

/**
 * Checks a frame's MAC, then that it is neither replayed nor stale: per sender, a run (boot) and a sequence
 * that only grows, and a wall-clock timestamp within the allowed skew. State is kept only for senders whose
 * MAC verified, so forged traffic cannot grow it.
 *
 * The marks live in memory, so a frame stamped before this receiver began listening is refused: it was sent (and
 * may have been captured) before the marks that would catch its replay existed. That covers a restart and a reload
 * that builds a new authenticator, and writes nothing to disk. No allowance for clock offset: every frame let in
 * before the start could be replayed once, each renewing a lease for a timeout, and systemd restarts a crashed
 * daemon well within a second. A peer whose clock runs behind ours is heard once its clock passes our start; with
 * NTP that is milliseconds, well inside the listen window at start.
 */
export class FrameAuthenticator {
  readonly signer: FrameSigner;
  private readonly marks = new Map<string, SenderMark>();
  private notBefore: number;

  constructor(
    private readonly keys: readonly Buffer[],
    private readonly maxSkewMs: number,
    private readonly wallClock: () => number = Date.now,
  ) {
    this.signer = { key: keys[0]!, boot: randomInt(1, 2 ** 47), now: wallClock };
    this.notBefore = wallClock();
  }

  /** The transport starts listening: frames sent before now were never seen by this receiver's marks. */
  begin(): void {
    this.notBefore = Math.max(this.notBefore, this.wallClock());
  }

  open(frame: RawFrame, sender: string): OpenResult {
    if (frame.type === TYPE_HEARTBEAT) return { ok: false, reason: 'unsigned' };
    if (!verifyMac(this.keys, frame)) return { ok: false, reason: 'bad MAC' };
    const data = parsePayload(frame.payload) as Record<string, unknown> | null;
    const boot = data?.['boot'];
    const seq = data?.['seq'];
    const ts = data?.['ts'];
    if (typeof boot !== 'number' || typeof seq !== 'number' || typeof ts !== 'number') return { ok: false, reason: 'signed frame without boot, seq or ts' };
    if (Math.abs(this.wallClock() - ts) > this.maxSkewMs) return { ok: false, reason: `stale: timestamp ${ts} is more than ${this.maxSkewMs} ms off` };
    if (ts < this.notBefore) return { ok: false, reason: `replayed: stamped before this node started (timestamp ${ts})` };
    const last = this.marks.get(sender);
    if (last) {
      if (boot === last.boot && seq === last.seq) return { ok: false, reason: 'duplicate', duplicate: true };
      // each heartbeat goes out over TCP and multicast: a copy a step or two late is not an attack
      if (boot === last.boot && seq < last.seq && last.seq - seq <= 2) return { ok: false, reason: 'late duplicate', duplicate: true };
      if (boot === last.boot && seq < last.seq) return { ok: false, reason: `replayed: sequence ${seq} after ${last.seq}` };
      if (boot !== last.boot && ts <= last.ts) return { ok: false, reason: 'replayed: an older run of this sender' };
    }
    this.marks.set(sender, { boot, seq, ts });
    return { ok: true, data };
  }

  /** Without keys: plain frames only, so a signed group and an unsigned one cannot half-talk. */
  static openUnsigned(frame: RawFrame): OpenResult {
    if (frame.type !== TYPE_HEARTBEAT) return { ok: false, reason: 'signed frame, but this node has no auth key' };
    return { ok: true, data: parsePayload(frame.payload) };
  }
}
