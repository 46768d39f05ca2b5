import type { TransitionCause } from '../node-state.js';
import { best, compareRank } from '../rank.js';
import { probePlanFor } from '../rules/takeover-probe-plan.js';
import { latestTerm, nextTerm } from '../term.js';
import { EchoTiming } from '../timing/echo-timing.js';
import type { Ipv4Address } from '../value-objects/ipv4-address.js';
import { endOperation, evaluate, release } from './evaluate.js';
import { withdrawHostVerdict } from './host-watch.js';
import { guardDeadlineForBind, noteBind } from './quorum-gate.js';
import type { BindResult, HolderVerdict, ReleasePurpose } from './machine-io.js';
import { isHalted } from './machine-state.js';
import { reassert, rescheduleTick, sendHeartbeat, transition, type Turn } from './turn.js';

/** Quick looks again after a conflict on the daemon-gone path, for a release guard still removing the address. */
const DAEMON_GONE_RETRIES = 3;
/** Checks in a row, a quarter interval apart, that must find a rival master's claim untrue before a master ignores it. */
const RIVAL_MISSES = 2;
/** Checks of a master's claim that must all find it untrue before a backup stops following it. */
const CLAIM_MISSES = 3;

type CheckResult = HolderVerdict | { kind: 'error'; error: string };

/**
 * Binds the address, probing first unless the holder said it let go or the pre-expiry probe of a master silent
 * throughout found it free (that probe may still run: the driver waits for it and takes the plan it allows).
 */
export function takeOver(t: Turn, reason: string, handover: boolean, cause: TransitionCause): void {
  const { s } = t;
  let usePreProbe = false;
  if (!handover) {
    const at = s.preProbeAt;
    s.preProbeAt = null;
    // a master silent throughout its lease, or a start that heard no master, probed just before
    usePreProbe = (cause === 'timeout' || cause === 'elected') && at !== null && t.now - at <= t.timing.preProbeFreshMs;
  }
  const silentPeer = !s.lease && cause === 'elected' ? bestSilentPeer(t) : undefined;
  const context = { cause, handover, lease: s.lease, ...(silentPeer ? { silentPeer } : {}) };
  const plan = probePlanFor({ ...context, preProbedFree: false }, t.timing);
  s.operation = {
    kind: 'bind',
    startedAt: t.now,
    reason,
    cause,
    ...(plan.displace ? { displace: plan.displace.toString(), ...(silentPeer ? { displacesSilentPeer: true } : {}) } : {}),
  };
  s.quorum.mayBeBound = true;
  guardDeadlineForBind(t);
  t.emit(usePreProbe ? { kind: 'bind', plan, ifPreProbedFree: probePlanFor({ ...context, preProbedFree: true }, t.timing) } : { kind: 'bind', plan });
}

/**
 * The best-ranked peer that outranks this node, is no longer alive and is not known gone (a refused daemon, a
 * goodbye): the one that would have been elected, and may have bound the address and stalled.
 */
function bestSilentPeer(t: Turn): Ipv4Address | undefined {
  const self = { id: t.s.config.localIp, priority: t.priority };
  return best([...t.s.peers.values()].filter((p) => !p.lost && !p.isAlive(t.now, t.timing) && compareRank(p, self) > 0))?.id;
}

export function onBindDone(t: Turn, result: BindResult): void {
  const { s } = t;
  const op = s.operation;
  if (op?.kind !== 'bind') return;
  if (isHalted(s)) {
    s.operation = null;
    return;
  }
  if (result.kind === 'conflict') {
    noteBind(s, false, 0);
    t.metric({ kind: 'address-conflict' });
    // the guard may still be at work: look again shortly rather than at the next heartbeat
    if (op.cause === 'daemon-gone' && s.daemonGoneRetries++ < DAEMON_GONE_RETRIES) t.emit({ kind: 'wake-after', ms: EchoTiming.QUICK_PROBE_MS });
    if (result.evidence !== s.lastConflict) {
      // a host answering ARP with ever new MACs would otherwise write a line per probe
      t.log('warn', `not taking ${s.config.address.ip.toString()} over: it is in use by another host (${result.evidence})`, 'peer messages');
      s.lastConflict = result.evidence;
    }
    if (op.cause === 'host-silent') withdrawHostVerdict(t, result.evidence);
    if (s.role === 'INIT') transition(t, 'BACKUP', `address in use by another host (${result.evidence})`, 'conflict');
    rescheduleTick(t);
    endOperation(t);
    return;
  }
  s.lastConflict = '';
  s.daemonGoneRetries = 0;
  s.term = nextTerm(latestTerm(s.term, ...s.peers.values().map((p) => p.term)));
  // The displaced peer took a term this node never heard: most likely the one just taken. One more keeps this term
  // the newer when it resumes; a tie would go to its rank, and it outranks this node.
  if (op.displacesSilentPeer) s.term = nextTerm(s.term);
  s.lease = null;
  const took = t.now - op.startedAt;
  noteBind(s, true, took);
  t.metric({ kind: 'takeover', ms: took });
  t.metric({ kind: 'arp-announced', count: 3 });
  const notes = `${result.alreadyBound ? ', address was already bound' : ''}${result.displaced ? `, taken from the stalled host ${op.displace ?? ''} (${result.displaced}) that still answered for it` : ''}`;
  transition(t, 'MASTER', `${op.reason} (term ${s.term}, bound in ${took} ms${notes})`, op.cause);
  t.setTimer('reannounce', EchoTiming.REANNOUNCE_DELAY_MS);
  s.reannounceAt = t.now + EchoTiming.REANNOUNCE_DELAY_MS;
  endOperation(t);
}

export function onReleased(t: Turn, purpose: ReleasePurpose, removed: boolean): void {
  const { s } = t;
  if (s.operation?.kind !== 'release') return;
  if (isHalted(s)) {
    s.operation = null;
    return;
  }
  switch (purpose.kind) {
    case 'fault':
      t.clearTimer('reannounce');
      transition(t, 'FAULT', `${purpose.reason}${removed ? '; released the address' : ''}`, 'fault');
      break;
    case 'become-backup':
      transition(t, 'BACKUP', purpose.reason + (removed ? '; removed the address left bound by an earlier run' : ''), purpose.cause);
      break;
    case 'give-way':
      t.clearTimer('reannounce');
      transition(t, 'BACKUP', purpose.reason, purpose.cause);
      break;
    case 'cleanup':
      if (s.role === 'INIT') transition(t, 'BACKUP', 'takeover failed; will retry as a backup', 'failed');
      break;
    case 'stale':
      if (removed) t.log('info', `removed ${s.config.address.ip.toString()}, left bound by an earlier run: a starting node holds nothing`);
      break;
  }
  endOperation(t);
}

/** A bind or release that threw: a node that does not hold the address makes sure it is not left bound. */
export function onOperationFailed(t: Turn, error: string, purpose?: ReleasePurpose): void {
  const { s } = t;
  if (!s.operation) return;
  if (isHalted(s)) {
    // the stop releases the address next: no clean-up of its own, but the failure is still worth a line
    t.log('error', `${s.role}: address operation failed: ${error}`);
    s.operation = null;
    return;
  }
  if (purpose?.kind === 'stale') {
    t.log('error', `could not remove ${s.config.address.ip.toString()} left bound by an earlier run: ${error}`);
    endOperation(t);
    return;
  }
  if (purpose?.kind === 'cleanup') {
    t.log('error', `cleanup release failed: ${error}`);
    if (s.role === 'INIT') transition(t, 'BACKUP', 'takeover failed; will retry as a backup', 'failed');
    endOperation(t);
    return;
  }
  t.log('error', `${s.role}: address operation failed: ${error}`);
  if (s.role === 'MASTER') endOperation(t);
  else release(t, { kind: 'cleanup' });
}

function recheckSoon(t: Turn): void {
  if (!t.s.deadlines.has('recheck')) t.setTimer('recheck', t.timing.rivalCheckGapMs);
}

/**
 * Before a master gives the address up for a rival, it sees that the rival's host really answers for it. Checks are
 * spaced apart (EchoTiming.rivalCheckGapMs), so many forged rivals cost a bounded number of ARP probes.
 */
export function startRivalCheck(t: Turn, rival: Ipv4Address, reason: string, cause: TransitionCause): void {
  const { s } = t;
  if (t.now - s.lastRivalCheckAt < t.timing.rivalCheckGapMs) {
    recheckSoon(t);
    return;
  }
  s.lastRivalCheckAt = t.now;
  s.operation = { kind: 'check-rival', rival, reason, cause };
  t.emit({ kind: 'check-holder', purpose: 'rival', claimant: rival });
}

/**
 * The rival's host answers for the address: stop announcing at once (a pending packet would pull clients back here),
 * tell the winner, and give its announcement a moment to land before this copy of the address goes. It does not: keep
 * the address, announce it again, and pass that rival's claim over for a while, so a real rival behind it is next.
 */
export function onRivalChecked(t: Turn, rival: Ipv4Address, verdict: CheckResult): void {
  const { s } = t;
  const op = s.operation;
  if (op?.kind !== 'check-rival' || !op.rival.equals(rival)) return;
  if (isHalted(s)) {
    s.operation = null;
    return;
  }
  if (verdict.kind === 'error') {
    // no answer either way (arping failed): look again shortly, and count no miss
    t.log('warn', `could not check ${rival.toString()}'s claim to the address: ${verdict.error}`, 'peer messages');
    recheckSoon(t);
    endOperation(t);
    return;
  }
  if (verdict.kind !== 'not-held') {
    s.rivalMisses = null;
    t.emit({ kind: 'cancel-announce' });
    t.clearTimer('reannounce');
    sendHeartbeat(t);
    release(t, { kind: 'give-way', reason: op.reason, cause: op.cause }, t.timing.splitBrainYieldMs);
    return;
  }
  // one missed ARP reply must not keep a real split standing: a second look a little later decides
  const misses = s.rivalMisses?.rival === rival.toString() ? s.rivalMisses.count + 1 : 1;
  s.rivalMisses = { rival: rival.toString(), count: misses };
  if (misses < RIVAL_MISSES) {
    recheckSoon(t);
    endOperation(t);
    return;
  }
  s.rivalMisses = null;
  s.peers.get(rival)?.refuteClaim(t.now);
  t.metric({ kind: 'address-conflict' });
  t.log('warn', `not stepping down for ${rival.toString()}, which says it is master: ${verdict.why}`, 'peer messages');
  reassert(t, `${rival.toString()} claims the address, but ${verdict.why}`);
  endOperation(t);
}

/**
 * A backup checks each master's claim on the wire once per term: a claim believed blindly would keep every backup
 * waiting for a master that holds nothing. Three misses half an interval apart refute it (one lost ARP reply must
 * not): its heartbeats then grant no lease and it counts as no master for a while.
 */
export function checkClaim(t: Turn, claimant: Ipv4Address): void {
  const { s } = t;
  const peer = s.peers.get(claimant);
  if (!peer || s.claimCheck || !s.config.resolvesMacs || peer.claimRefuted(t.now, t.timing.claimRecheckAfterMs)) return;
  s.claimCheck = { claimant, term: peer.term, misses: 0 };
  lookAtClaim(t);
}

/** The next look, unless the claim changed meanwhile (another term, no longer master) or the node stops. */
export function lookAtClaim(t: Turn): void {
  const { s } = t;
  const check = s.claimCheck;
  if (!check) return;
  const peer = s.peers.get(check.claimant);
  if (!peer || peer.state !== 'MASTER' || peer.term !== check.term || isHalted(s)) {
    s.claimCheck = null;
    return;
  }
  t.emit({ kind: 'check-holder', purpose: 'claim', claimant: check.claimant });
}

export function onClaimChecked(t: Turn, claimant: Ipv4Address, verdict: CheckResult): void {
  const { s } = t;
  const check = s.claimCheck;
  if (!check || !check.claimant.equals(claimant)) return;
  if (verdict.kind === 'error') {
    t.log('debug', `checking ${claimant.toString()}'s claim failed: ${verdict.error}`);
    s.claimCheck = null;
    return;
  }
  const peer = s.peers.get(claimant);
  if (verdict.kind !== 'not-held') {
    peer?.confirmClaim(check.term);
    s.claimCheck = null;
    return;
  }
  check.misses++;
  if (check.misses < CLAIM_MISSES) {
    t.setTimer('claim', t.timing.claimCheckGapMs);
    return;
  }
  s.claimCheck = null;
  peer?.refuteClaim(t.now);
  if (s.lease?.isHeldBy(claimant)) s.lease.revoke(t.now);
  t.metric({ kind: 'address-conflict' });
  t.log('warn', `${claimant.toString()} says it is master, but ${verdict.why}: not following it`, 'peer messages');
  evaluate(t);
}
