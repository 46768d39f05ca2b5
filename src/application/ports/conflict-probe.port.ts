import type { FloatingAddress } from '../../domain/index.js';

export type ProbeResult = { inUse: false } | { inUse: true; evidence: string };

/** Asks the network whether another host answers for the address. */
export interface ConflictProbePort {
  /** The longest a probe takes when nobody answers. */
  readonly deadlineMs: number;
  /** `deadlineMs` overrides the probe's own, for a takeover that already has strong evidence. */
  probe(address: FloatingAddress, deadlineMs?: number): Promise<ProbeResult>;
}
export const CONFLICT_PROBE_PORT = Symbol.for('floatip.ConflictProbePort');
