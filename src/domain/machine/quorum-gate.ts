import type { QuorumView } from '../election/quorum.election.js';
import { describeQuorumKey, type QuorumKey } from '../quorum/quorum-key.js';
import { evaluate, release } from './evaluate.js';
import { isHalted, type MachineState } from './machine-state.js';
import type { Turn } from './turn.js';

/**
 * Quorum mode's part of the machine: the key as the store last told it, the campaign for it, the fence (a master
 * must have released the address before its lease can end at the store) and the resign of a key no longer used.
 */

/** The least a release is given before the lease's earliest end: a release is a process or two. */
export const FENCE_FLOOR_MS = 300;
/** Allowed for a timer that fires late (a busy event loop) on top of twice the slowest release seen. */
export const FENCE_LAG_MS = 100;
/** The least time a takeover must have before the fence: a conflict probe (150 ms) and the bind, with room. */
export const BIND_FLOOR_MS = 500;

/**
 * How long before holdUntil the release guard removes the address if the daemon has not (it stood still). The
 * guard runs one command where the daemon's release runs three (look, remove, look again), so half the slowest
 * release measured, and at least the floor. A daemon whose fence fires no later than FENCE_LAG_MS is done first:
 * it starts max(300, 2r) + 100 ms before holdUntil and takes r, so it ends max(300 - r, r) ms before holdUntil,
 * never less than max(100, r / 2).
 */
export const GUARD_FLOOR_MS = 100;

export function guardLeadMs(s: MachineState): number {
  return Math.max(GUARD_FLOOR_MS, Math.ceil(s.quorum.slowestReleaseMs / 2));
}

/** How long before the fence a takeover may still start: twice the slowest bind seen, at least the floor. */
export function bindBudgetMs(s: MachineState): number {
  return Math.max(BIND_FLOOR_MS, 2 * s.quorum.slowestBindMs);
}

/** How long before holdUntil the release starts: measured (twice the slowest release seen), never under the floor. */
export function fenceLeadMs(s: MachineState): number {
  return Math.max(FENCE_FLOOR_MS, 2 * s.quorum.slowestReleaseMs) + FENCE_LAG_MS;
}

export function fenceAt(s: MachineState): number | null {
  const key = s.quorum.key;
  return key?.kind === 'ours' ? key.holdUntil - fenceLeadMs(s) : null;
}

/**
 * The view the election gets. A key not heard of yet is out of reach; so is one being given back (its delete may
 * still reach the store): this node asks for the key again, as any node, once the store says it is free.
 */
export function quorumView(s: MachineState): QuorumView | undefined {
  if (!s.config.quorum) return undefined;
  const key = s.quorum.key;
  const givingBack = key?.kind === 'ours' && s.quorum.resigned;
  return {
    key: givingBack ? { kind: 'unreachable', why: 'the key is being given back' } : (key ?? { kind: 'unreachable', why: 'not heard from yet' }),
    fenceAt: givingBack ? null : fenceAt(s),
    bindBudgetMs: bindBudgetMs(s),
    onLoss: s.config.quorum.onLoss,
    since: s.quorum.keySince,
  };
}

/** The resign's answer: a failed one is asked again an interval later (the key, still held, would block every peer). */
export function onQuorumResigned(t: Turn, error: string | undefined): void {
  const { s } = t;
  if (error === undefined || !s.config.quorum) return;
  s.quorum.resigned = false;
  t.log('warn', `could not give the etcd key back (trying again in ${t.timing.repeatAtMostMs} ms): ${error}`, 'peer messages');
  if (!isHalted(s) && !s.deadlines.has('recheck')) t.setTimer('recheck', t.timing.repeatAtMostMs);
}

/** The store's word on the key: from a watch, a read, a renewal of this node's lease, or the answer to a campaign. */
export function onQuorumKey(t: Turn, key: QuorumKey, campaigned: boolean): void {
  const { s } = t;
  if (!s.config.quorum) return;
  const before = s.quorum.key;
  if (campaigned) s.quorum.campaigning = false;
  // A failed read or renewal does not end a lease that etcd renewed: until its holdUntil the key is still this
  // node's, and the fence decides when to let go (a blip, a leader change, must not move the address).
  if (key.kind === 'unreachable' && before?.kind === 'ours' && t.now < fenceAt(s)!) {
    t.log('warn', `etcd did not answer (${key.why}); the key stays this node's until its lease could end, ${fenceAt(s)! - t.now} ms from now`, 'peer messages');
    return;
  }
  s.quorum.key = key;
  // before anything this step binds: the guard is armed with the deadline of the lease that holds the key now
  syncGuardDeadline(t);
  if (before?.kind !== key.kind) s.quorum.keySince = t.now;
  if (key.kind !== 'ours') s.quorum.resigned = false;
  if (!before || before.kind !== key.kind || (before.kind === 'held' && key.kind === 'held' && before.holder !== key.holder)) {
    const level = key.kind === 'unreachable' ? 'warn' : 'info';
    t.log(level, `etcd key of ${s.config.address.ip.toString()}: ${describeQuorumKey(key)}${campaigned ? ' (after this node asked for it)' : ''}`);
  }
  if (isHalted(s)) return;
  // a free key is looked at again an interval on, when a backup waiting for a better node may ask for it itself
  if (key.kind === 'free' && before?.kind !== 'free' && !s.deadlines.has('recheck')) t.setTimer('recheck', t.timing.repeatAtMostMs);
  evaluate(t);
}

/**
 * Asks for the key, one campaign at a time; another only once the key changed since the last answer, or an
 * interval later (a recheck comes then), so a key held by a live peer costs one request an interval at most.
 */
export function campaign(t: Turn, depose: string | undefined): void {
  const { quorum: q } = t.s;
  if (q.campaigning) return;
  const kind = q.key?.kind ?? 'unreachable';
  const last = q.lastCampaign;
  if (last && last.keyKind === kind && t.now - last.at < t.timing.repeatAtMostMs) {
    if (!t.s.deadlines.has('recheck')) t.setTimer('recheck', last.at + t.timing.repeatAtMostMs - t.now);
    return;
  }
  q.campaigning = true;
  q.lastCampaign = { at: t.now, keyKind: kind };
  t.emit(depose === undefined ? { kind: 'campaign' } : { kind: 'campaign', depose });
}

/** A release that ran to its end: the address is off this host, and how long that took. */
export function noteRelease(s: MachineState, tookMs: number | undefined): void {
  s.quorum.mayBeBound = false;
  // the release disarmed the guard, and its deadline with it
  s.quorum.guardAt = null;
  if (tookMs !== undefined && tookMs > s.quorum.slowestReleaseMs) s.quorum.slowestReleaseMs = tookMs;
}

export function noteBind(s: MachineState, bound: boolean, tookMs: number): void {
  s.quorum.mayBeBound = bound;
  // a bind that did not happen disarmed the guard, and its deadline with it
  if (!bound) s.quorum.guardAt = null;
  if (bound && tookMs > s.quorum.slowestBindMs) s.quorum.slowestBindMs = tookMs;
}

/**
 * After each step: the fence deadline follows the key's holdUntil (every renewal moves it), and a key this node
 * holds without the address (a campaign won as a master appeared, a release done) is given back when no operation
 * runs and the last release succeeded: never while the address may still be bound. Once per key won; again an
 * interval after a resign that failed.
 */
export function syncQuorum(t: Turn): void {
  const { s } = t;
  if (!s.config.quorum && s.quorum.guardAt !== null) setGuardDeadline(t, null);
  if (!s.config.quorum || isHalted(s)) return;
  let fence = fenceAt(s);
  // past its fence the key is no longer this node's to use or give back: its lease ends by itself
  if (fence !== null && t.now >= fence) {
    s.quorum.key = { kind: 'unreachable', why: 'the lease was not renewed in time' };
    s.quorum.keySince = t.now;
    s.quorum.resigned = false;
    fence = null;
  }
  // once per fence time: a fence that fired (or lies in the past) is not set again until a renewal moves it
  if (fence === null) t.clearTimer('fence');
  else if (fence !== s.quorum.fenceArmedAt) t.setTimer('fence', Math.max(0, fence - t.now));
  s.quorum.fenceArmedAt = fence;
  syncGuardDeadline(t);
  const q = s.quorum;
  const stray = q.key?.kind === 'ours' && s.role !== 'MASTER' && s.operation === null && !q.campaigning && !q.mayBeBound && !q.keepKey;
  if (stray && !q.resigned && t.now - q.lastResignAt >= t.timing.repeatAtMostMs) {
    q.resigned = true;
    q.lastResignAt = t.now;
    t.emit({ kind: 'resign' });
  }
}

/**
 * The fence needs this daemon's timers to fire; a daemon that stands still (SIGSTOP, a blocked event loop) would keep
 * the address past its lease while a peer takes the key. So the release guard, a process of its own, is given a
 * deadline of its own, a little after the fence and before the lease can end: each renewal moves it. With
 * on_quorum_loss: keep a master holds the address past its lease on purpose, so there is none. A key no longer
 * this node's leaves the deadline as it was: only a renewal moves it, and a disarm (a release, a bind that did not
 * happen) ends it.
 */
function syncGuardDeadline(t: Turn, always = false): void {
  const { s } = t;
  const key = s.quorum.key;
  if (s.config.quorum?.onLoss !== 'release') {
    if (s.quorum.guardAt !== null) setGuardDeadline(t, null);
    return;
  }
  if (key?.kind !== 'ours') return;
  const at = key.holdUntil - guardLeadMs(s);
  if (always || at !== s.quorum.guardAt) setGuardDeadline(t, at);
}

/** Just before a bind: the guard it arms gets the deadline of the lease that holds the key now, whatever came before. */
export function guardDeadlineForBind(t: Turn): void {
  if (t.s.config.quorum) syncGuardDeadline(t, true);
}

/**
 * The release guard removed the address on its own, at its deadline: this daemon stood still past its fence. Its
 * lease may have been renewed meanwhile (an answer that was on its way), and then no peer can take the key while
 * this node holds no address: so a master gives way (the key, unused, is then given back, and the best node takes
 * it). A bind running now is looked at when it ends: its address may have been bound after the guard was gone.
 */
export function onGuardFired(t: Turn): void {
  const { s } = t;
  s.quorum.guardAt = null;
  if (!s.config.quorum || isHalted(s)) return;
  s.quorum.guardFired = true;
  afterGuardFired(t);
}

/** Called when no operation runs (after onGuardFired, and at an operation's end). */
export function afterGuardFired(t: Turn): void {
  const { s } = t;
  if (!s.quorum.guardFired || s.operation !== null || isHalted(s)) return;
  s.quorum.guardFired = false;
  if (s.role !== 'MASTER') return;
  release(t, {
    kind: 'give-way',
    reason: 'the release guard removed the address at its deadline while this daemon stood still; giving the etcd key back',
    cause: 'quorum-lost',
  });
}

function setGuardDeadline(t: Turn, at: number | null): void {
  t.s.quorum.guardAt = at;
  t.emit({ kind: 'guard-deadline', at });
}
