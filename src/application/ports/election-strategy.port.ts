import type { ElectionStrategy } from '../../domain/index.js';

/** Who may hold the address now: peer heartbeats today (PeerHeartbeatElection), an etcd lease next. */
export type ElectionStrategyPort = ElectionStrategy;
export const ELECTION_STRATEGY_PORT = Symbol.for('floatip.ElectionStrategyPort');
