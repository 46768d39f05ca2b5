import type { Ipv4Address } from '../../domain/index.js';

/** A local check of the service the address stands for (the gateway's own port, say). */
export type CheckTarget =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'command'; readonly argv: readonly string[] };

export interface ProbeOutcome {
  readonly ok: boolean;
  readonly detail: string;
}

/** Runs local health checks and ICMP reachability probes of witnesses. */
export interface HealthProbePort {
  check(target: CheckTarget, timeoutMs: number): Promise<ProbeOutcome>;
  reachable(address: Ipv4Address, timeoutMs: number): Promise<boolean>;
}
export const HEALTH_PROBE_PORT = Symbol.for('floatip.HealthProbePort');
