import type { FloatingAddress, Ipv4Address, Priority } from '../domain/index.js';
import type { CheckTarget } from './ports/health-probe.port.js';
import type { NotifyHooks } from './ports/notifier.port.js';

export interface CheckSettings {
  readonly name: string;
  readonly target: CheckTarget;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly fall: number;
  readonly rise: number;
  /** Lowers the effective priority while the check fails. */
  readonly weight: number;
  /** While the check fails the node is FAULT: it releases the address and will not take it. */
  readonly fatal: boolean;
}

/** Resolved, validated settings of one node: what the use cases run on. */
export interface NodeSettings {
  readonly address: FloatingAddress;
  readonly localIp: Ipv4Address;
  readonly priority: Priority;
  /** forced_by_priority: a higher-priority node takes the address from a running master. */
  readonly preempt: boolean;
  readonly echo: {
    readonly port: number;
    readonly dialTimeoutMs: number;
    readonly timeoutMs: number;
    readonly intervalMs: number;
  };
  readonly multicast: { readonly group: Ipv4Address; readonly port: number } | null;
  readonly peers: readonly Ipv4Address[];
  readonly checks: readonly CheckSettings[];
  /** Probed with ICMP: a node that reaches none of them and no peer for echo.timeout is isolated. */
  readonly witnesses: readonly Ipv4Address[];
  readonly hooks: NotifyHooks;
}
export const NODE_SETTINGS = Symbol.for('floatip.NodeSettings');

/**
 * How often a backup speaks while it hears its master: once per master-down timeout, never more often than the
 * interval. It is heard for a handover and in the master's view of its peers, which count it alive for
 * BACKUP_ALIVE_TIMEOUTS timeouts; before an election every backup speaks once more (see FailoverNode.armExpiry).
 * With N nodes each backup's heartbeat wakes N - 1 daemons, so this is most of the traffic of a large group.
 * The transport sizes its "heard on the group" window from the same period.
 */
export function backupQuietPeriodMs(echo: { readonly intervalMs: number; readonly timeoutMs: number }): number {
  return Math.max(echo.intervalMs, echo.timeoutMs);
}

/**
 * How often the master's heartbeat also goes over each peer's TCP link, and how often a backup that hears no
 * master looks again: three times per timeout, so that a lease runs out only after three losses in a row.
 */
export function thirdOfTimeoutMs(echo: { readonly intervalMs: number; readonly timeoutMs: number }): number {
  return Math.max(echo.intervalMs, Math.floor(echo.timeoutMs / 3));
}
