import type { Ipv4Address } from '../value-objects/ipv4-address.js';
import { evaluate } from './evaluate.js';
import { isHalted, type MachineState } from './machine-state.js';
import { armExpiry } from './heartbeat.handlers.js';
import type { Turn } from './turn.js';

/**
 * echo.host_timeout_in_ms. The timeout is there for a daemon that stalls (a GC pause, a starved CPU), not for a host
 * that is gone: a stalled daemon's kernel still answers ICMP. So a backup also probes its master's host at kernel
 * level, and a master whose host answered nothing and sent no heartbeat for the host timeout is down. A host that
 * answers keeps the whole timeout; a probe that never got an answer (ICMP filtered, no ping) says nothing.
 */

/** The host this backup watches: its lease's holder, heard as master. */
function hostToWatch(t: Turn): Ipv4Address | null {
  const { s } = t;
  if (t.timing.hostTimeoutMs === null || s.role !== 'BACKUP' || !s.lease || s.lease.isExpired(t.now)) return null;
  const peer = s.peers.get(s.lease.holder);
  if (s.hostRefuted && (!s.hostRefuted.host.equals(s.lease.holder) || s.hostRefuted.expiresAt !== s.lease.expiresAt)) s.hostRefuted = null;
  if (s.hostRefuted) return null;
  return peer && peer.state === 'MASTER' && peer.isAlive(t.now, t.timing) ? peer.id : null;
}

/** After every step: the probe follows the master this backup follows, and stops when there is none. */
export function syncHostWatch(t: Turn): void {
  const { s } = t;
  const want = isHalted(s) ? null : hostToWatch(t);
  const had = s.hostWatch?.host ?? null;
  if (want === null ? had === null : had !== null && had.equals(want)) return;
  stopHostWatch(t);
  if (want === null) return;
  const ms = t.timing.hostTimeoutMs!;
  s.hostWatch = { host: want, since: t.now, deadlineAt: t.now + ms };
  t.emit({ kind: 'watch-host', host: want, intervalMs: t.timing.hostProbeIntervalMs! });
  t.setTimer('host', ms);
}

/** No host watched any more (new settings start a new watch). */
export function stopHostWatch(t: Turn): void {
  if (!t.s.hostWatch) return;
  t.s.hostWatch = null;
  t.clearTimer('host');
  t.emit({ kind: 'watch-host', host: null, intervalMs: 0 });
}

function rearm(t: Turn, watch: NonNullable<MachineState['hostWatch']>, ms: number): void {
  watch.deadlineAt = t.now + ms;
  t.setTimer('host', ms);
}

/** The host deadline: the master's host silent for the host timeout (no answer, no heartbeat) is down. */
export function onHostDeadline(t: Turn): void {
  const { s } = t;
  const watch = s.hostWatch;
  const timeout = t.timing.hostTimeoutMs;
  if (!watch || timeout === null) return;
  // Late: this daemon stalled, and answers may wait unread in its pipe. It reads them before it judges the host.
  if (t.now - watch.deadlineAt > t.timing.hostDeadlineSlackMs) {
    rearm(t, watch, t.timing.hostDeadlineSlackMs);
    return;
  }
  const peer = s.peers.get(watch.host);
  if (!peer || peer.lost) return;
  const answered = t.hostAnsweredAt !== null && t.hostAnsweredAt >= watch.since ? t.hostAnsweredAt : null;
  const lastAlive = Math.max(watch.since, peer.lastSeenAt, answered ?? -Infinity);
  const silent = t.now - lastAlive;
  // a probe that has not answered since the watch began (ICMP filtered, the probe not running) leaves the timeout
  if (answered === null || silent < timeout) {
    rearm(t, watch, Math.max(timeout - silent, t.timing.hostDeadlineSlackMs));
    return;
  }
  peer.markLost('host-silent', t.now);
  if (s.lease?.isHeldBy(watch.host)) s.lease.revoke(t.now);
  t.log('info', `master ${watch.host.toString()}'s host answered no probe and sent no heartbeat for ${silent} ms (echo.host_timeout_in_ms ${timeout})`);
  evaluate(t);
}

/**
 * The quick probe after a host-silent verdict found the address answering: the pings were lost, not the host (a
 * starved CPU, a lossy link), and its daemon is stalled. The verdict is withdrawn: the master is taken over when its
 * lease would have run out, displaced as a stalled host is, and its host is not judged again until it is heard.
 */
export function withdrawHostVerdict(t: Turn, evidence: string): void {
  const { s } = t;
  const lease = s.lease;
  if (!lease) return;
  const peer = s.peers.get(lease.holder);
  if (!peer || peer.lost?.reason !== 'host-silent') return;
  peer.unmarkLost('host-silent');
  lease.reinstate();
  s.hostRefuted = { host: lease.holder, expiresAt: lease.expiresAt };
  t.log('info', `master ${lease.holder.toString()}'s host still answers for the address (${evidence}): it is up, its daemon stalled; taken over when its lease runs out`);
  armExpiry(t);
}
