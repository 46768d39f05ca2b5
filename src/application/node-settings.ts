import { EchoTiming, type FloatingAddress, type Ipv4Address, type Netmask, type Priority, type QuorumLossPolicy } from '../domain/index.js';
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
  /** The units (addresses or groups, by name) the check weighs on; null: every one. */
  readonly addresses?: readonly string[] | null;
}

/**
 * One election: an address, or a group of addresses that move together. The first address names it on the wire;
 * `name` is the group's name, or the first address, in logs, status, metrics and hooks.
 */
export interface AddressUnit {
  readonly name: string;
  readonly addresses: readonly FloatingAddress[];
  readonly priority: Priority;
  readonly preempt: boolean;
}

/** Quorum mode: an etcd lease decides who holds each address. */
export interface QuorumSettings {
  readonly etcd: {
    readonly endpoints: readonly string[];
    /** PEM files, read when the adapter is made */
    readonly caFile: string | null;
    readonly certFile: string | null;
    readonly keyFile: string | null;
    readonly username: string | null;
    readonly password: string | null;
  };
  /** whole seconds, in ms */
  readonly leaseTtlMs: number;
  /** no trailing slash; an address's key is `${keyPrefix}/${unit name}` */
  readonly keyPrefix: string;
  readonly onLoss: QuorumLossPolicy;
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
    /** echo.host_timeout_in_ms: a master whose host answers no ICMP probe this long is down; absent: off. */
    readonly hostTimeoutMs?: number | null;
  };
  readonly multicast: { readonly group: Ipv4Address; readonly port: number } | null;
  readonly peers: readonly Ipv4Address[];
  readonly checks: readonly CheckSettings[];
  /** Probed with ICMP: a node that reaches none of them and no peer for echo.timeout is isolated. */
  readonly witnesses: readonly Ipv4Address[];
  readonly hooks: NotifyHooks;
  /**
   * The addresses' form (`addresses:`): every unit this daemon runs, one election each, on one transport. Absent
   * (the single-address form): one unit of `address`, `priority` and `preempt`.
   */
  readonly units?: readonly AddressUnit[];
  /** The unit this node runs, in the list form (settingsOfUnit); absent: the one address. */
  readonly unit?: AddressUnit;
  /** The heartbeat segment, for admitting sources; absent: the address's netmask. null: configured peers only. */
  readonly peerSubnet?: Netmask | null;
  /** Quorum mode; absent or null: the heartbeat mode. */
  readonly quorum?: QuorumSettings | null;
}
export const NODE_SETTINGS = Symbol.for('floatip.NodeSettings');

const timings = new WeakMap<object, Map<number | undefined, EchoTiming>>();

/**
 * The timing model of these echo settings (see EchoTiming) and probe deadline, made once per settings object: the
 * transport and the node ask it for every heartbeat, and a reload brings a new settings object.
 */
export function echoTiming(echo: { readonly intervalMs: number; readonly timeoutMs: number; readonly hostTimeoutMs?: number | null }, probeDeadlineMs?: number): EchoTiming {
  let byDeadline = timings.get(echo);
  if (!byDeadline) {
    byDeadline = new Map();
    timings.set(echo, byDeadline);
  }
  let timing = byDeadline.get(probeDeadlineMs);
  if (!timing) {
    timing = EchoTiming.create({
      intervalMs: echo.intervalMs,
      timeoutMs: echo.timeoutMs,
      hostTimeoutMs: echo.hostTimeoutMs ?? null,
      ...(probeDeadlineMs === undefined ? {} : { probeDeadlineMs }),
    });
    byDeadline.set(probeDeadlineMs, timing);
  }
  return timing;
}

/** The units these settings run: the list form's, or the one address of the single form. */
export function unitsOf(settings: NodeSettings): readonly AddressUnit[] {
  return settings.units ?? [{ name: settings.address.ip.toString(), addresses: [settings.address], priority: settings.priority, preempt: settings.preempt }];
}

/** Whether the list form is in use: then frames carry every unit's state, and status has a row per unit. */
export function isMultiAddress(settings: NodeSettings): boolean {
  return settings.units !== undefined;
}

export function peerSubnetOf(settings: Pick<NodeSettings, 'address' | 'peerSubnet'>): Netmask | null {
  return settings.peerSubnet === undefined ? settings.address.netmask : settings.peerSubnet;
}

/**
 * The settings one unit's node runs on: the unit's first address, priority and preemption, and the checks that
 * weigh on it. Echo, peers, witnesses and hooks are the daemon's.
 */
export function settingsOfUnit(settings: NodeSettings, unit: AddressUnit): NodeSettings {
  return {
    ...settings,
    address: unit.addresses[0]!,
    priority: unit.priority,
    preempt: unit.preempt,
    unit,
    checks: settings.checks.filter((c) => !c.addresses || c.addresses.includes(unit.name)),
  };
}

/** The addresses one node binds and releases together: its unit's, or the one address. */
export function addressesOf(settings: NodeSettings): readonly FloatingAddress[] {
  return settings.unit?.addresses ?? [settings.address];
}

/** The store key of this node's unit (quorum mode). */
export function quorumKeyOf(settings: NodeSettings): string {
  const name = settings.unit?.name ?? settings.address.ip.toString();
  return `${settings.quorum?.keyPrefix ?? '/floatip'}/${name}`;
}
