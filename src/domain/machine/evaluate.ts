import type { ElectionDecision } from '../election/election-strategy.js';
import type { QuorumView } from '../election/quorum.election.js';
import { heardWhenDue } from '../rules/heartbeat-cadence.js';
import type { Ipv4Address } from '../value-objects/ipv4-address.js';
import type { ReleasePurpose } from './machine-io.js';
import { isHalted } from './machine-state.js';
import { reassert, scheduleTick, transition, type Turn } from './turn.js';
import { startRivalCheck, takeOver } from './takeover.js';
import { afterGuardFired, campaign, quorumView } from './quorum-gate.js';

/**
 * The decision of the moment, asked after anything that can change it: a fault first, then the election strategy's
 * answer. While an address operation runs it is asked again when that ends, never at the same time.
 */
export function evaluate(t: Turn): void {
  const { s } = t;
  if (isHalted(s)) return;
  if (s.operation) {
    s.askAgain = true;
    return;
  }
  t.metric({ kind: 'state', state: s.role, priority: t.priority });
  const fault = faultReason(t);
  if (fault && s.role !== 'FAULT') {
    release(t, { kind: 'fault', reason: fault });
    return;
  }
  if (!fault && s.role === 'FAULT') transition(t, 'BACKUP', 'recovered: checks pass and the network answers', 'recovered');
  const decision = s.config.election.decide({
    self: { id: s.config.localIp, priority: t.priority, state: s.role, term: s.term },
    peers: s.peers.values(),
    lease: s.lease,
    now: t.now,
    startedAt: s.startedAt,
    timing: t.timing,
    ...roundSince(t),
    ...withQuorum(t),
  });
  apply(t, decision);
  scheduleTick(t);
}

/** The operation ended: a decision asked for meanwhile is asked now. */
export function endOperation(t: Turn): void {
  const { s } = t;
  s.operation = null;
  // the release guard fired while it ran (a bind may have bound after it): a master gives way first
  afterGuardFired(t);
  if (s.operation || !s.askAgain) return;
  s.askAgain = false;
  evaluate(t);
}

/** Starts releasing the address, as the operation of the moment; the machine hears back with the same purpose. */
export function release(t: Turn, purpose: ReleasePurpose, afterMs?: number): void {
  t.s.operation = { kind: 'release', purpose };
  t.emit(afterMs === undefined ? { kind: 'release', purpose } : { kind: 'release', purpose, afterMs });
}

function apply(t: Turn, decision: ElectionDecision): void {
  if (decision.kind !== 'stay') t.s.waiting = null;
  t.s.quorum.keepKey = decision.kind === 'stay' && decision.keepKey === true;
  switch (decision.kind) {
    case 'stay':
      waitFor(t, decision.waitingFor);
      return;
    case 'reassert':
      reassert(t, decision.reason);
      return;
    case 'become-backup':
      // a master lets go (quorum mode: its etcd key is lost): as when it gives way, not as a start's clean-up
      if (t.s.role === 'MASTER') release(t, { kind: 'give-way', reason: decision.reason, cause: decision.cause });
      else release(t, { kind: 'become-backup', reason: decision.reason, cause: decision.cause });
      return;
    case 'take-over':
      takeOver(t, decision.reason, decision.handover, decision.cause);
      return;
    case 'step-down':
      startRivalCheck(t, decision.to, decision.reason, decision.cause);
      return;
    case 'hand-over':
      release(t, { kind: 'give-way', reason: decision.reason, cause: decision.cause });
      return;
    case 'campaign':
      campaign(t, decision.depose);
      return;
  }
}

/**
 * A backup waits for a better node to take the address over; one that has not done so two timeouts later (a
 * forged better backup, or a node that cannot) is passed over, and the election goes on without it.
 */
function waitFor(t: Turn, better: Ipv4Address | undefined): void {
  const { s } = t;
  // the wait is timed from the first better node waited for: two that take turns at the top do not restart it
  if (!better || !s.waiting) {
    s.waiting = better ? { since: t.now } : null;
    return;
  }
  if (t.now - s.waiting.since < t.timing.waitForTurnMs) return;
  s.waiting = null;
  s.peers.get(better)?.passOver(t.now);
  t.log('warn', `${better.toString()} outranks this node but has not taken the address over: passing it over`, 'peer messages');
  evaluate(t);
}

/**
 * The master's last heartbeat, when its lease ran out by silence after this node's pre-expiry round: every live
 * backup spoke in that round, so one not heard since is gone. Not for a revoked lease (a handover), nor where the
 * lease was too short for a round.
 */
function roundSince(t: Turn): { roundSince?: number } {
  const { s } = t;
  const lease = s.lease;
  if (s.role !== 'BACKUP' || !lease || !lease.isExpired(t.now) || s.preProbedExpiry !== lease.expiresAt) return {};
  return { roundSince: lease.expiresAt - t.timing.leaseMs };
}

function withQuorum(t: Turn): { quorum?: QuorumView } {
  const quorum = quorumView(t.s);
  return quorum ? { quorum } : {};
}

/** A failing fatal check, or isolation: no witness answered within the master-down timeout, and no peer was heard when due. */
function faultReason(t: Turn): string | null {
  const { fatal, witnessOkAt } = t.health;
  if (fatal) return fatal;
  if (witnessOkAt === null) return null;
  if (t.now - witnessOkAt < t.timing.witnessStaleMs) return null;
  const peers = t.s.peers.values();
  if (peers.some((p) => heardWhenDue(p, t.now, t.timing))) return null;
  const heard = Math.max(witnessOkAt, ...peers.filter((p) => !p.lost).map((p) => p.lastSeenAt));
  const witnesses = t.s.config.witnesses.map((w) => w.toString()).join(', ');
  return `isolated: no witness (${witnesses}) and no peer answered for ${t.now - heard} ms`;
}
