import type { NodeState, QuorumKey, TransitionCause } from '../../domain/index.js';

/** What operators count and graph; the Prometheus adapter implements it, tests use a recorder. */
export interface MetricsPort {
  state(state: NodeState, effectivePriority: number): void;
  transition(from: NodeState, to: NodeState, cause: TransitionCause): void;
  heartbeatSent(): void;
  heartbeatReceived(): void;
  heartbeatRejected(reason: string): void;
  takeover(durationMs: number): void;
  /** A takeover or a step-down refused because the address answered from a host that is not the rival (see ConflictProbePort). */
  addressConflict(): void;
  arpAnnounced(packets: number): void;
  checkResult(name: string, healthy: boolean): void;
  /**
   * Where to read the peer table from, at scrape time (whether a peer is alive depends on the time, and a forgotten
   * peer must leave no series behind). Called once by the node.
   */
  watchPeers(read: () => readonly PeerLiveness[]): void;
  /** A configuration reload was applied (true) or refused (false: invalid, or it disables the node). */
  configReload(successful: boolean): void;
  /** Quorum mode: what the store last said of this address's key. */
  quorumKey?(state: QuorumKey['kind']): void;
  /**
   * A node of several addresses: the metrics of one of them, its series labelled `address` (the unit's name).
   * Absent: one address, unlabelled.
   */
  forAddress?(name: string): MetricsPort;
}

export interface PeerLiveness {
  readonly peer: string;
  readonly up: boolean;
}
export const METRICS_PORT = Symbol.for('floatip.MetricsPort');

export class NoMetrics implements MetricsPort {
  state(): void {}
  transition(): void {}
  heartbeatSent(): void {}
  heartbeatReceived(): void {}
  heartbeatRejected(): void {}
  takeover(): void {}
  addressConflict(): void {}
  arpAnnounced(): void {}
  checkResult(): void {}
  watchPeers(): void {}
  configReload(): void {}
}
