import type { FloatingAddress, Ipv4Address, Priority } from '../domain/index.js';

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
}
export const NODE_SETTINGS = Symbol.for('floatip.NodeSettings');
