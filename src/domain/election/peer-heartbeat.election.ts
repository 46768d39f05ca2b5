import type { ElectionDecision, ElectionStrategy, ElectionView } from './election-strategy.js';
import { best, compareRank, type Ranked } from '../rank.js';
import { isNewerTerm } from '../term.js';
import type { TransitionCause } from '../node-state.js';

const describe = (p: Ranked): string => `${p.id.toString()} (priority ${p.priority})`;

/** Whether master `p` wins over master `self`: a newer term, or the same term and a higher rank. */
function beats(p: Ranked & { readonly term: number }, self: Ranked & { readonly term: number }): boolean {
  if (isNewerTerm(p.term, self.term)) return true;
  return !isNewerTerm(self.term, p.term) && compareRank(p, self) > 0;
}

/**
 * The election by peer heartbeats: the best live node holds the address. A master lost by silence is replaced at the
 * end of its lease, one whose daemon refused a reconnect at once, one that said it released the address at once
 * and without a probe; a starting node listens first; between two masters the newer term wins.
 */
export class PeerHeartbeatElection implements ElectionStrategy {
  decide(view: ElectionView): ElectionDecision {
    const { self, now } = view;
    const { timing } = view;
    const alive = view.peers.filter((p) => p.isAlive(now, timing));
    // a claim to hold the address found untrue on the wire does not count for a while (see the machine's claim checks)
    const masters = alive.filter((p) => p.state === 'MASTER' && !p.claimRefuted(now, timing.claimRefutedMs));
    // nor does a better node that did not take over when it was its turn
    const eligible = alive.filter((p) => !p.passedOver(now, timing.passedOverMs));

    switch (self.state) {
      case 'INIT': {
        const master = best(masters);
        if (master) return { kind: 'become-backup', reason: `master ${describe(master)} is alive`, cause: 'master-alive' };
        if (now - view.startedAt < timing.listenWindowMs) return { kind: 'stay' };
        const top = best<Ranked>([self, ...eligible.filter((p) => p.state === 'INIT' || p.state === 'BACKUP')]);
        if (top === self) {
          const others = alive.length > 0 ? `, outranks ${alive.map(describe).join(', ')}` : '';
          return { kind: 'take-over', reason: `no master heard for ${timing.listenWindowMs} ms after start${others}`, handover: false, cause: 'elected' };
        }
        return { kind: 'become-backup', reason: `${describe(top!)} outranks this node and will take over`, cause: 'outranked' };
      }
      case 'BACKUP': {
        if (masters.length > 0) return { kind: 'stay' };
        // A starting (INIT) node that outranks us takes over when its bounded listen window ends.
        const since = view.roundSince;
        const rivals = eligible.filter((p) => p.state === 'INIT' || (p.state === 'BACKUP' && (since === undefined || p.lastSeenAt >= since)));
        const top = best<Ranked>([self, ...rivals]);
        if (top !== self) return { kind: 'stay', waitingFor: top!.id };
        return { kind: 'take-over', ...this.whyMasterIsGone(view) };
      }
      case 'MASTER': {
        // Between two masters the newer term wins: the one that took over last, whom the other side's clients
        // follow (after a partition, or a stalled daemon that resumed). In one term, rank decides.
        // a rival whose claim was just found untrue on the wire is not among them, so the next one is checked
        const rival = best(masters.filter((p) => beats(p, self)));
        if (rival) {
          const why = isNewerTerm(rival.term, self.term) ? `holds it in a newer term (${rival.term}, this node's ${self.term})` : 'outranks this node';
          return { kind: 'step-down', to: rival.id, reason: `split brain: ${describe(rival)} also holds the address and ${why}`, cause: 'split-brain' };
        }
        if (masters.length > 0) {
          return { kind: 'reassert', reason: `split brain: ${masters.map(describe).join(', ')} also ${masters.length === 1 ? 'holds' : 'hold'} the address; this node wins (a newer term, or the same term and a higher rank)` };
        }
        const challenger = best(
          eligible.filter(
            (p) => p.state === 'BACKUP' && p.preempt && compareRank(p, self) > 0 && p.aliveFor(now) >= timing.preemptDelayMs,
          ),
        );
        if (challenger) {
          return {
            kind: 'hand-over',
            to: challenger.id,
            reason: `preempted by ${describe(challenger)}, which outranks this node (priority ${self.priority})`,
            cause: 'preempted',
          };
        }
        return { kind: 'stay' };
      }
      default:
        return { kind: 'stay' };
    }
  }

  private whyMasterIsGone(view: ElectionView): { reason: string; handover: boolean; cause: TransitionCause } {
    const lease = view.lease;
    const holder = lease ? view.peers.find((p) => p.id.equals(lease.holder)) : undefined;
    if (!lease || !holder) return { reason: 'no master is alive', handover: false, cause: 'elected' };
    const id = holder.id.toString();
    const lost = holder.lost;
    // A goodbye anyone could have forged (an unsigned datagram) is heard, but the address is probed first.
    const unverified = holder.releaseVerified ? '' : ' (said on the group, unsigned: probing first)';
    const handover = holder.releaseVerified;
    if (lost?.reason === 'stopping') return { reason: `${id} handed over: it is stopping and released the address${unverified}`, handover, cause: 'handover' };
    if (lost?.reason === 'host-silent') return { reason: `${id}'s host answered nothing for ${view.timing.hostTimeoutMs} ms`, handover: false, cause: 'host-silent' };
    if (lost?.reason === 'refused') return { reason: `${id}'s daemon is gone: its echo port refused the connection`, handover: false, cause: 'daemon-gone' };
    if (holder.state !== 'MASTER' && holder.isAlive(view.now, view.timing)) {
      const why = holder.state === 'FAULT' ? 'it is FAULT and released the address' : 'it released the address';
      return { reason: `${id} handed over: ${why}${unverified}`, handover, cause: 'handover' };
    }
    return { reason: `no heartbeat from ${id} for ${holder.silentFor(view.now)} ms`, handover: false, cause: 'timeout' };
  }
}
