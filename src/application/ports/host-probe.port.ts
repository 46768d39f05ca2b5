import type { Ipv4Address } from '../../domain/index.js';

/**
 * Kernel-level probes of a peer's host (ICMP echo), for echo.host_timeout_in_ms: a host whose daemon stalls still
 * answers them; a host that is gone does not. Several watchers of one host share one probe.
 */
export interface HostProbePort {
  /** Probes `host` every `intervalMs` until it is unwatched as many times as it was watched. */
  watch(host: Ipv4Address, intervalMs: number): void;
  unwatch(host: Ipv4Address): void;
  /** When `host` last answered the probe running now (the clock's time); null: not watched, not running, or no answer yet. */
  answeredAt(host: Ipv4Address): number | null;
}
export const HOST_PROBE_PORT = Symbol.for('floatip.HostProbePort');
