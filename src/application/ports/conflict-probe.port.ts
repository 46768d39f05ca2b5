import type { FloatingAddress, IpAddress } from '../../domain/index.js';

/** `mac`: the link-layer address that answered ARP for it, where one did. */
export type ProbeResult = { inUse: false } | { inUse: true; evidence: string; mac?: string };

/** Asks the network whether another host answers for the address. */
export interface ConflictProbePort {
  /** The longest a probe takes when nobody answers. */
  readonly deadlineMs: number;
  /** `deadlineMs` overrides the probe's own, for a takeover that already has strong evidence. */
  probe(address: FloatingAddress, deadlineMs?: number): Promise<ProbeResult>;
  /**
   * Whether macOf can tell who answers ARP here (Linux with arping); where it cannot, a peer's claim to hold the
   * address cannot be checked on the wire.
   */
  readonly resolvesMacs: boolean;
  /** The MAC that answers ARP for `ip` on the address's interface within the deadline, lower case; null: none did. */
  macOf(address: FloatingAddress, ip: IpAddress, deadlineMs?: number): Promise<string | null>;
}
export const CONFLICT_PROBE_PORT = Symbol.for('floatip.ConflictProbePort');
