import type { PeerNode } from '../entities/peer-node.js';
import { describeQuorumKey, type QuorumKey, type QuorumLossPolicy } from '../quorum/quorum-key.js';
import type { ElectionDecision, ElectionStrategy, ElectionView } from './election-strategy.js';

/** What the quorum store says of this address's key, as the machine hands it to the election. */
export interface QuorumView {
  readonly key: QuorumKey;
  /** When a key held by this node must start being released (its lease's holdUntil less the unbind lead); null: not ours. */
  readonly fenceAt: number | null;
  /** how long before the fence a takeover may still start (a probe and a bind, measured) */
  readonly bindBudgetMs: number;
  readonly onLoss: QuorumLossPolicy;
  /** since when the key has been of its kind (free, held…) as this node heard it */
  readonly since: number;
}

/**
 * Quorum mode: the peer heartbeats still rank the candidates and tell a dead daemon at once (the inner strategy),
 * but the address is held only under the store's key. A node elected by its peers campaigns for the key and takes
 * over once it is its own; a master whose key is gone, held by another, or not renewed in time releases (unless
 * on_quorum_loss is keep and the store is only out of reach); a rival master without the key is not given way to.
 */
export class QuorumElection implements ElectionStrategy {
  constructor(private readonly inner: ElectionStrategy) {}

  decide(view: ElectionView): ElectionDecision {
    const decision = this.inner.decide(view);
    const q = view.quorum;
    if (!q) return decision;
    const ours = q.key.kind === 'ours' && q.fenceAt !== null && view.now < q.fenceAt;
    // a takeover must be bound before the fence comes: too late in the lease, the next renewal decides
    const canBind = ours && view.now + q.bindBudgetMs < q.fenceAt!;
    switch (view.self.state) {
      case 'MASTER':
        return ours ? masterWithKey(decision) : masterWithoutKey(q, decision);
      case 'INIT':
      case 'BACKUP':
        if (decision.kind === 'stay' && decision.waitingFor) {
          const better = decision.waitingFor.toString();
          // the better node would have asked for the key the moment it went free: it cannot reach etcd
          if (canBind) return { kind: 'take-over', reason: `this node holds the etcd key: ${better}, which outranks it, did not take it`, handover: false, cause: 'elected' };
          if (ours) return { kind: 'stay', waitingFor: decision.waitingFor, keepKey: true };
          // one still starting asks when its listen window ends (a bounded wait): asking first would race it
          const starting = view.peers.some((p) => p.id.equals(decision.waitingFor!) && p.state === 'INIT');
          if (!starting && q.key.kind === 'free' && view.now - q.since >= view.timing.repeatAtMostMs) {
            return { kind: 'campaign', reason: `the etcd key has been free for ${view.now - q.since} ms and ${better}, which outranks this node, has not taken it` };
          }
        }
        if (decision.kind !== 'take-over' || canBind) return decision;
        return candidateWithoutKey(view, q.key, decision);
      default:
        return decision;
    }
  }
}

/** The key is this node's: a claim by a rival master is not backed by the store, so this node keeps the address. */
function masterWithKey(decision: ElectionDecision): ElectionDecision {
  if (decision.kind !== 'step-down') return decision;
  return { kind: 'reassert', reason: `${decision.reason}, but this node holds the etcd key` };
}

function masterWithoutKey(q: QuorumView, decision: ElectionDecision): ElectionDecision {
  const { key } = q;
  // keep: the store is out of reach (or the renewal late), most likely for every node: none can take the key meanwhile
  if (q.onLoss === 'keep' && (key.kind === 'unreachable' || key.kind === 'ours')) return decision;
  // keep, and the store answers again with the key free: this node's lease ran out while it was cut off
  if (q.onLoss === 'keep' && key.kind === 'free') return { kind: 'campaign', reason: 'the etcd key is free again: claiming it back' };
  const why = key.kind === 'ours' ? 'its lease was not renewed in time' : describeQuorumKey(key);
  return { kind: 'become-backup', reason: `releasing before the etcd lease can end: ${why}`, cause: key.kind === 'held' ? 'quorum-held' : 'quorum-lost' };
}

/**
 * The peers elected this node, but the key is not its own yet: it campaigns when the key is free, or held under the
 * lease of a daemon known gone (its echo port refused, and it has been silent since: see isGone), or of this node's
 * own earlier run. A live holder's key ends
 * when that holder resigns it or its lease runs out.
 */
function candidateWithoutKey(view: ElectionView, key: QuorumKey, elected: Extract<ElectionDecision, { kind: 'take-over' }>): ElectionDecision {
  const starting = view.self.state === 'INIT';
  switch (key.kind) {
    case 'free':
      return { kind: 'campaign', reason: elected.reason };
    case 'held': {
      if (key.holder === view.self.id.toString()) return { kind: 'campaign', reason: `${elected.reason}; the etcd key is this node's from an earlier run`, depose: key.lease };
      const holder = view.peers.find((p) => p.id.toString() === key.holder);
      if (holder && isGone(holder, view)) return { kind: 'campaign', reason: elected.reason, depose: key.lease };
      const why = `the etcd key is held by ${key.holder}`;
      return starting ? { kind: 'become-backup', reason: why, cause: 'quorum-held' } : { kind: 'stay' };
    }
    case 'unreachable':
      return starting ? { kind: 'become-backup', reason: `etcd is unreachable (${key.why}): not taking the address`, cause: 'quorum-lost' } : { kind: 'stay' };
    case 'ours':
      // ours, but too late in its lease to bind: kept, and the next renewal decides
      return { kind: 'stay', keepKey: true };
  }
}

/**
 * The whole daemon is gone: its echo port refused a reconnect (its release guard removed its addresses), and it has
 * been silent since, on every channel, for goneConfirmMs: a reset or a refusal can be forged by whoever sees the
 * link, or come from a firewall, but a live daemon's own heartbeats (which would have made it alive again) cannot be
 * held back that way. Revoking its lease ends every key it held, so nothing less will do: a node that stops deletes
 * its keys before it says so.
 */
function isGone(p: PeerNode, view: ElectionView): boolean {
  const lost = p.lost;
  return lost?.reason === 'refused' && view.now - lost.at >= view.timing.goneConfirmMs(p.state);
}
