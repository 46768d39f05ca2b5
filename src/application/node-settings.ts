import { EchoTiming, type FloatingAddress, type Ipv4Address, type Priority } from '../domain/index.js';
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

const timings = new WeakMap<object, Map<number | undefined, EchoTiming>>();

/**
 * The timing model of these echo settings (see EchoTiming) and probe deadline, made once per settings object: the
 * transport and the node ask it for every heartbeat, and a reload brings a new settings object.
 */
export function echoTiming(echo: { readonly intervalMs: number; readonly timeoutMs: number }, probeDeadlineMs?: number): EchoTiming {
  let byDeadline = timings.get(echo);
  if (!byDeadline) {
    byDeadline = new Map();
    timings.set(echo, byDeadline);
  }
  let timing = byDeadline.get(probeDeadlineMs);
  if (!timing) {
    timing = EchoTiming.create({ intervalMs: echo.intervalMs, timeoutMs: echo.timeoutMs, ...(probeDeadlineMs === undefined ? {} : { probeDeadlineMs }) });
    byDeadline.set(probeDeadlineMs, timing);
  }
  return timing;
}
