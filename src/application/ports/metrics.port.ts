import type { NodeState, TransitionCause } from '../../domain/index.js';

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
}
