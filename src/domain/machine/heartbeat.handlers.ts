import { Lease } from '../entities/lease.js';
import type { PeerChange, PeerNode } from '../entities/peer-node.js';
import type { HeartbeatMessage } from '../heartbeat-message.js';
import { isNewerTerm, latestTerm, nextTerm } from '../term.js';
import { EchoTiming } from '../timing/echo-timing.js';
import type { Ipv4Address } from '../value-objects/ipv4-address.js';
import { evaluate } from './evaluate.js';
import { checkClaim } from './takeover.js';
import { forgetNeighbours, reassert, sendHeartbeat, type Turn } from './turn.js';

/** A heartbeat from a peer this node now knows, and what it changed. */
interface Heard {
  readonly msg: HeartbeatMessage;
  readonly peer: PeerNode;
  readonly change: PeerChange;
}

/** The peer table takes the heartbeat in: a newcomer is admitted (if there is room), a known peer observed. */
function admit(t: Turn, msg: HeartbeatMessage, trusted: boolean): Heard | null {
  const { s } = t;
  if (msg.id.equals(s.config.localIp)) return null;
  if (!msg.vip.equals(s.config.address.ip)) {
    t.log('warn', `ignoring ${msg.id.toString()}: it manages ${msg.vip.toString()}, not ${s.config.address.ip.toString()}`, 'peer messages');
    return null;
  }
  const known = s.peers.get(msg.id);
  // counted once taken: a copy already heard (the other channel's, or a batch repeating it) is no heartbeat more
  if (known) {
    const change = known.observe(msg, t.now, t.timing, trusted);
    if (change === 'stale') return null;
    t.metric({ kind: 'heartbeat-received' });
    if (change === 'returned') t.log('info', `peer ${msg.id.toString()} is back (priority ${msg.priority}, ${msg.state})`, 'peer messages');
    return { msg, peer: known, change };
  }
  t.metric({ kind: 'heartbeat-received' });
  const peer = s.peers.admit(msg, t.now, t.timing, (p) => s.lease?.isHeldBy(p.id) === true);
  if (!peer) {
    t.log('warn', `ignoring ${msg.id.toString()}: ${s.peers.size} live peers already, the most a group may have`, 'peer messages');
    return null;
  }
  if (msg.state === 'STOPPING') return { msg, peer, change: 'none' };
  t.log('info', `peer ${msg.id.toString()} joined (priority ${msg.priority}, ${msg.state})`, 'peer messages');
  return { msg, peer, change: 'joined' };
}

/**
 * A master hears another node. One that let go after holding the address in a later term (while this node was
 * cut off) may still have clients following its ARP: this node takes a newer term and wins them back. A master
 * that this node beats (an older term) is about to release: this node's replies to clients found no neighbour
 * while cut off, so they may resolve now rather than at the kernel's next retry. The loser stays quiet: its
 * announcement would only pull clients to a host that is about to release the address.
 */
export function masterOnHeartbeat(t: Turn, msg: HeartbeatMessage, trusted: boolean): void {
  const heard = admit(t, msg, trusted);
  if (!heard) return;
  const { s } = t;
  const { change } = heard;
  if (msg.state !== 'MASTER' && msg.state !== 'STOPPING' && isNewerTerm(msg.term, s.term)) {
    s.term = nextTerm(msg.term);
    forgetNeighbours(t);
    reassert(t, `${msg.id.toString()} speaks in a newer term (${msg.term}): the address may have moved while this node was cut off`);
  } else if (msg.state === 'MASTER' && (change === 'joined' || change === 'returned' || change === 'became-master') && !isNewerTerm(msg.term, s.term)) {
    forgetNeighbours(t);
  }
  afterHeartbeat(t, heard);
}

/** INIT, BACKUP or FAULT: follow the newest term heard, and check a master's claim on the wire once per term. */
export function followerOnHeartbeat(t: Turn, msg: HeartbeatMessage, trusted: boolean): void {
  const heard = admit(t, msg, trusted);
  if (!heard) return;
  t.s.term = latestTerm(t.s.term, msg.term);
  if (msg.state === 'MASTER' && !heard.peer.claimConfirmed()) checkClaim(t, msg.id);
  afterHeartbeat(t, heard);
}

function afterHeartbeat(t: Turn, { msg, peer, change }: Heard): void {
  const { s } = t;
  keepLease(t, msg, change);
  // Once more even if this node announced a moment ago: until it let go, the rival still answered the clients,
  // and its own ARP requests (sent from the address) pointed them back at it.
  if (change === 'released' && s.role === 'MASTER') reassert(t, `${msg.id.toString()} released the address`, true);
  // A peer that appears, or comes back after a partition, hears from us now rather than at our next tick,
  // so a split brain is seen from both sides at once.
  if (change === 'joined' || change === 'returned') sendHeartbeat(t);
  else if (msg.state === 'MASTER' && s.role === 'BACKUP' && t.now - s.lastSentAt >= t.timing.backupDueAfterMs()) {
    // In step with the master: every backup's heartbeat then reaches the others within a millisecond of the
    // master's, and a node reads such a burst in one wake-up instead of one per sender.
    sendHeartbeat(t);
  }
  if ((change === 'stopping' || change === 'released') && !peer.releaseVerified) {
    // Its copy on the peer's own connection is a moment behind, if it is real: wait for it before probing.
    t.emit({ kind: 'wake-after', ms: EchoTiming.UNVERIFIED_RELEASE_WAIT_MS });
  } else if (change !== 'none' || (msg.state === 'MASTER' && s.role === 'MASTER')) evaluate(t);
}

/** A master's heartbeat grants (or renews) its lease; one that let go ends it. A refuted claim grants nothing. */
function keepLease(t: Turn, msg: HeartbeatMessage, change: PeerChange): void {
  const { s } = t;
  if (msg.state === 'MASTER' && s.peers.get(msg.id)?.claimRefuted(t.now, t.timing.claimRefutedMs)) return;
  if (msg.state === 'MASTER') {
    if (s.lease?.isHeldBy(msg.id) && s.lease.term === msg.term) s.lease.renew(t.now);
    else s.lease = Lease.grant(msg.id, msg.term, t.now, t.timing.leaseMs);
    armExpiry(t);
  } else if ((change === 'released' || change === 'stopping') && s.lease?.isHeldBy(msg.id)) {
    s.lease.revoke(t.now);
  }
}

/**
 * Wake right when the master's lease runs out, not at the next tick; and shortly before, to probe the address, so
 * that a host that died silently is taken over at the timeout instead of a probe later. One deadline serves both
 * moments. It is set once and re-armed only when it fires early (the lease was renewed meanwhile), not on every
 * heartbeat: each timer that fires wakes an idle daemon, and that is most of its CPU.
 */
export function armExpiry(t: Turn): void {
  const { s } = t;
  if (!s.lease || s.deadlines.has('expiry')) return;
  const { delayMs, probing } = s.lease.wakePlan(t.now, t.timing.probeLeadMs, s.preProbedExpiry);
  s.expiryProbing = probing;
  t.setTimer('expiry', delayMs);
}

/** The expiry deadline came: the lease ran out, or is about to (lease expiring), or was renewed meanwhile. */
export function leaseDeadline(t: Turn): 'expired' | 'expiring' | 'renewed' {
  const { s } = t;
  if (!s.lease || s.lease.isExpired(t.now)) return 'expired';
  if (s.expiryProbing && s.lease.dueForProbe(t.now, t.timing.probeLeadMs, t.timing.preProbeMarginMs)) return 'expiring';
  return 'renewed';
}

/**
 * A backup's master has been silent most of its lease. It speaks now, over TCP too, so that every live backup is
 * heard since the master's last heartbeat (at the election, one that was not is presumed gone with the master, see
 * roundSince), and probes the address, so the takeover at the expiry need not.
 */
export function backupOnLeaseExpiring(t: Turn): void {
  const { s } = t;
  s.preProbedExpiry = s.lease!.expiresAt;
  sendHeartbeat(t, true);
  s.preProbeAt = t.now;
  t.emit({ kind: 'pre-probe' });
  armExpiry(t);
}

/** Not a backup (INIT, FAULT, or a master that still follows a rival's lease): the round and probe are not its. */
export function othersOnLeaseExpiring(t: Turn): void {
  t.s.preProbedExpiry = t.s.lease!.expiresAt;
  armExpiry(t);
}

/** The master it followed is silent for its whole lease (or the lease was revoked): elect now, not at the next tick. */
export function onLeaseExpired(t: Turn): void {
  evaluate(t);
}

/** The peer's daemon refused a reconnect: it is gone though its host is up, and its lease ends now. */
export function onPeerLost(t: Turn, id: Ipv4Address, detail: string): void {
  const { s } = t;
  const peer = s.peers.get(id);
  if (!peer || peer.lost) return;
  peer.markLost('refused', t.now);
  s.daemonGoneRetries = 0;
  if (s.lease?.isHeldBy(id)) s.lease.revoke(t.now);
  t.log('info', `peer ${id.toString()} lost: ${detail}`);
  armGoneCheck(t);
  evaluate(t);
}

/**
 * Quorum mode: a refused peer's lease is revoked only once its silence confirms the refusal (see
 * EchoTiming.goneConfirmMs). The 'gone' deadline is the first such moment among the peers; a peer heard since is no
 * longer lost, and is not waited for.
 */
export function armGoneCheck(t: Turn): void {
  if (!t.s.config.quorum) return;
  let next = Infinity;
  for (const p of t.s.peers.values()) {
    const lost = p.lost;
    if (lost?.reason !== 'refused') continue;
    const left = lost.at + t.timing.goneConfirmMs(p.state) - t.now;
    if (left > 0) next = Math.min(next, left);
  }
  if (next === Infinity) t.clearTimer('gone');
  else t.setTimer('gone', next);
}
