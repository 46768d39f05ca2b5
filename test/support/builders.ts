import type { AddressUnit, NodeSettings } from '../../src/application/index.js';
import { FloatingAddress, Ipv4Address, Ipv6Address, Netmask, PeerNode, Priority, parseIpAddress, type HeartbeatMessage, type WireState } from '../../src/domain/index.js';

export const VIP = '198.18.0.100';

export function anAddress(ip = VIP, iface = 'eth0'): FloatingAddress {
  return FloatingAddress.create({ ip: Ipv4Address.create(ip), netmask: Netmask.create('255.255.255.0'), interfaceName: iface, label: 'fip' });
}

/** An IPv6 floating address (fd00:198:18::/48, a unique local range kept for tests). */
export function anIpv6Address(ip = 'fd00:198:18::234', iface = 'eth0', prefixLength = 64): FloatingAddress {
  return FloatingAddress.create({ ip: Ipv6Address.create(ip), prefixLength, interfaceName: iface, label: 'fip' });
}

export function aSettings(over: { id?: string; priority?: number; preempt?: boolean; timeoutMs?: number; intervalMs?: number; hostTimeoutMs?: number } = {}): NodeSettings {
  return {
    address: anAddress(),
    localIp: Ipv4Address.create(over.id ?? '198.18.0.11'),
    priority: Priority.create(over.priority ?? 100),
    preempt: over.preempt ?? false,
    echo: { port: 61111, dialTimeoutMs: 1000, timeoutMs: over.timeoutMs ?? 10_000, intervalMs: over.intervalMs ?? 1000, ...(over.hostTimeoutMs ? { hostTimeoutMs: over.hostTimeoutMs } : {}) },
    multicast: { group: Ipv4Address.create('224.3.2.2'), port: 7654 },
    peers: [],
    checks: [],
    witnesses: [],
    hooks: { timeoutMs: 10_000 },
  };
}

/** Each heartbeat a daemon sends counts up; a repeated number is an old message. */
let nextSeq = 1;

export function aHeartbeat(over: Partial<Omit<HeartbeatMessage, 'id' | 'vip'>> & { id?: string; vip?: string } = {}): HeartbeatMessage {
  return {
    id: Ipv4Address.create(over.id ?? '198.18.0.12'),
    vip: parseIpAddress(over.vip ?? VIP),
    priority: over.priority ?? 100,
    state: over.state ?? 'BACKUP',
    term: over.term ?? 0,
    preempt: over.preempt ?? false,
    seq: over.seq ?? nextSeq++,
  };
}

/**
 * A peer as this node's table holds it after hearing one heartbeat: `aPeer().from(B).backupHeardAt(t)`,
 * `aPeer().withPriority(200).preempting().masterHeardAt(t)`. Unset fields are aHeartbeat's defaults.
 */
export class PeerBuilder {
  private readonly over: { id?: string; state?: WireState; priority?: number; term?: number; preempt?: boolean; seq?: number } = {};

  from(id: string): this {
    this.over.id = id;
    return this;
  }
  inState(state: WireState): this {
    this.over.state = state;
    return this;
  }
  master(): this {
    return this.inState('MASTER');
  }
  backup(): this {
    return this.inState('BACKUP');
  }
  starting(): this {
    return this.inState('INIT');
  }
  withPriority(priority: number): this {
    this.over.priority = priority;
    return this;
  }
  inTerm(term: number): this {
    this.over.term = term;
    return this;
  }
  preempting(): this {
    this.over.preempt = true;
    return this;
  }
  withSeq(seq: number): this {
    this.over.seq = seq;
    return this;
  }

  /** The heartbeat such a peer sends. */
  heartbeat(): HeartbeatMessage {
    return aHeartbeat({ ...this.over });
  }
  /** The peer, last heard at `t`. */
  heardAt(t: number): PeerNode {
    return PeerNode.fromHeartbeat(this.heartbeat(), t);
  }
  backupHeardAt(t: number): PeerNode {
    return this.backup().heardAt(t);
  }
  masterHeardAt(t: number): PeerNode {
    return this.master().heardAt(t);
  }
}

export const aPeer = (): PeerBuilder => new PeerBuilder();

/** An entry of the list form: an address (IPv4 or IPv6) with its own priority, its own election unless grouped. */
export function aUnit(ip: string, priority: number, over: { preempt?: boolean; group?: string; label?: string } = {}): AddressUnit {
  const parsed = parseIpAddress(ip);
  const address =
    parsed.family === 6
      ? FloatingAddress.create({ ip: parsed, prefixLength: 64, interfaceName: 'eth0', label: over.label ?? 'fip' })
      : FloatingAddress.create({ ip: parsed, netmask: Netmask.create('255.255.255.0'), interfaceName: 'eth0', label: over.label ?? `f${ip.split('.').pop()}` });
  return { name: over.group ?? parsed.toString(), addresses: [address], priority: Priority.create(priority), preempt: over.preempt ?? false };
}

/** A node of several addresses (the list form): aSettings' node, with `units` in the order given. */
export function aMultiSettings(id: string, units: readonly AddressUnit[], over: { timeoutMs?: number; intervalMs?: number } = {}): NodeSettings {
  const base = aSettings({ id, ...over });
  const first = units[0]!;
  return { ...base, address: first.addresses[0]!, priority: first.priority, preempt: first.preempt, units, peerSubnet: Netmask.create('255.255.255.0') };
}
