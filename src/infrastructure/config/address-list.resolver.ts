import type { AddressUnit, CheckSettings } from '../../application/index.js';
import { FloatingAddress, InvalidValueError, MAX_ALIAS_NAME_LENGTH, isSameIp, Netmask, Priority, parseIpAddress, type IpAddress, type Ipv4Address } from '../../domain/index.js';
import type { AddressEntryDto } from './floating-ip.config-dto.js';

/** One heartbeat frame carries every unit's state; this keeps the frame within its limit. */
export const MAX_ADDRESSES = 32;

/** What an entry inherits from the section, and what its addresses are checked against. */
export interface SectionDefaults {
  readonly interfaceName: string;
  readonly localIp: Ipv4Address;
  /** the section's netmask (or local_ip's): an IPv4 entry's unless it sets its own */
  readonly netmask: Netmask;
  readonly label: string;
  readonly priority: Priority;
  readonly preempt: boolean;
  readonly prefixLength: number | undefined;
  /** the host's own addresses, by interface, to refuse one a NIC already has */
  readonly heldBy: (ip: IpAddress) => string | undefined;
}

interface Entry {
  readonly key: string;
  readonly address: FloatingAddress;
  readonly priority: Priority;
  readonly preempt: boolean;
  readonly group: string | undefined;
  /** set by the entry itself, not inherited: a group's later entries inherit from its first */
  readonly sets: { readonly priority: boolean; readonly preempt: boolean };
}

/**
 * The list form of `floating_ip:` (`addresses:`): one unit per address, or per group of addresses that move
 * together. Every problem names its entry, such as `floating_ip.addresses[1].ip`.
 */
export function resolveAddressList(entries: readonly AddressEntryDto[], section: SectionDefaults, problems: string[]): AddressUnit[] {
  const P = 'floating_ip.addresses';
  if (entries.length === 0) problems.push(`${P}: [] is not allowed: list at least one address`);
  if (entries.length > MAX_ADDRESSES) problems.push(`${P}: ${entries.length} addresses are not allowed: at most ${MAX_ADDRESSES} (one frame carries them all)`);
  const resolved: Entry[] = [];
  entries.forEach((dto, i) => {
    const key = `${P}[${i}]`;
    const label = dto.label ?? defaultLabel(dto.ip, section);
    const entry = attemptEntry(key, problems, () => {
      const ip = parseIpAddress(dto.ip, 'ip');
      if (dto.netmask !== undefined && dto.prefix_length !== undefined) throw new InvalidValueError('prefix_length', dto.prefix_length, 'set netmask or prefix_length, not both');
      const netmask = ip.family === 4 && dto.prefix_length === undefined ? (dto.netmask !== undefined ? Netmask.create(dto.netmask, 'netmask') : section.netmask) : undefined;
      if (ip.family === 6 && dto.netmask !== undefined) throw new InvalidValueError('netmask', dto.netmask, 'applies to IPv4 only: give an IPv6 address prefix_length');
      const address = FloatingAddress.create({
        ip,
        ...(netmask ? { netmask } : {}),
        ...(dto.prefix_length !== undefined ? { prefixLength: dto.prefix_length } : ip.family === 6 && section.prefixLength !== undefined ? { prefixLength: section.prefixLength } : {}),
        interfaceName: section.interfaceName,
        label,
      });
      const priority = dto.priority === undefined ? section.priority : dto.priority <= 0 ? Priority.unranked() : Priority.create(dto.priority, 'priority');
      const sets = { priority: dto.priority !== undefined, preempt: dto.forced_by_priority !== undefined };
      return { key, address, priority, preempt: dto.forced_by_priority ?? section.preempt, group: dto.group, sets };
    });
    if (!entry) return;
    const ip = entry.address.ip;
    const shown = JSON.stringify(ip.toString());
    if (ip.family === 4) {
      if (ip.equals(section.localIp)) problems.push(`${key}.ip: ${shown} is not allowed: it is this node's own local_ip; choose a free address`);
      else if (!entry.address.netmask!.contains(section.localIp, ip)) {
        problems.push(`${key}.ip: ${shown} is not allowed: it must be in local_ip ${section.localIp.toString()}'s subnet /${entry.address.prefixLength}`);
      }
    }
    const holder = section.heldBy(ip);
    if (holder !== undefined && holder !== section.interfaceName) problems.push(`${key}.ip: ${shown} is not allowed: ${holder} of this host already has it`);
    const twin = resolved.find((r) => r.address.ip.equals(ip));
    if (twin) problems.push(`${key}.ip: ${shown} is not allowed: ${twin.key} has it already`);
    const sameLabel = ip.family === 4 ? resolved.find((r) => r.address.family === 4 && r.address.label === entry.address.label) : undefined;
    if (sameLabel) {
      const made = dto.label === undefined ? ' (both labels were made from the last number of the address: set label on one of them)' : '';
      problems.push(`${key}.label: ${JSON.stringify(entry.address.label)} is not allowed: ${sameLabel.key} is bound under ${entry.address.aliasName} already${made}`);
    }
    resolved.push(entry);
  });
  return unitsOf(resolved, problems);
}

/** Entries of one group form one unit: what they set must agree on what the election weighs; the rest follows the first. */
function unitsOf(entries: readonly Entry[], problems: string[]): AddressUnit[] {
  const units: { name: string; first: Entry; addresses: FloatingAddress[] }[] = [];
  for (const e of entries) {
    const unit = e.group === undefined ? undefined : units.find((u) => u.name === e.group);
    if (!unit) {
      units.push({ name: e.group ?? e.address.ip.toString(), first: e, addresses: [e.address] });
      continue;
    }
    if (e.sets.priority && e.priority.value !== unit.first.priority.value) {
      problems.push(`${e.key}.priority: ${e.priority.value} is not allowed: group ${unit.name} has priority ${unit.first.priority.value} (${unit.first.key}); the addresses of a group move together`);
    }
    if (e.sets.preempt && e.preempt !== unit.first.preempt) {
      problems.push(`${e.key}.forced_by_priority: ${e.preempt} is not allowed: group ${unit.name} has ${unit.first.preempt} (${unit.first.key})`);
    }
    unit.addresses.push(e.address);
  }
  // a group is known on the wire by its lowest address (IPv4 first), whatever order each node lists its members in
  return units.map((u) => ({ name: u.name, addresses: u.addresses.length > 1 ? [...u.addresses].sort(lowestFirst) : u.addresses, priority: u.first.priority, preempt: u.first.preempt }));
}

/**
 * Linux keeps one IPv4 address per alias label, so each IPv4 entry gets its own: the section's label and the
 * address's last number (eth0:fip234), or f234 where that is too long. Made from the address alone, so a reload
 * that adds or removes an entry renames no other (a renamed alias would be a restart). IPv6 keeps no labels.
 */
function defaultLabel(ip: unknown, section: SectionDefaults): string {
  if (typeof ip !== 'string' || ip.includes(':')) return section.label;
  const last = ip.trim().split('.').pop() ?? '';
  const long = `${section.label}${last}`;
  return section.interfaceName.length + 1 + long.length <= MAX_ALIAS_NAME_LENGTH ? long : `f${last}`;
}

function lowestFirst(a: FloatingAddress, b: FloatingAddress): number {
  const x = sortKey(a);
  const y = sortKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The family, then the address as fixed-width hex: text that sorts as the numbers do. */
function sortKey(a: FloatingAddress): string {
  const hex = a.ip.family === 4 ? a.ip.toNumber().toString(16).padStart(8, '0') : a.ip.toBytes().map((n) => n.toString(16).padStart(2, '0')).join('');
  return `${a.family}${hex}`;
}

/** A check's `addresses:` names units (a group, or an ungrouped address) or any address of a group. */
export function attachChecks(
  checks: readonly CheckSettings[],
  named: readonly { readonly index: number; readonly names: readonly string[] | undefined }[],
  units: readonly AddressUnit[],
  problems: string[],
): CheckSettings[] {
  return checks.map((c, k) => {
    const { index: i, names } = named[k]!;
    if (names === undefined) return c;
    if (names.length === 0) problems.push(`floating_ip.checks[${i}].addresses: [] is not allowed: name at least one address or group, or leave addresses out for all`);
    const attached: string[] = [];
    names.forEach((n, j) => {
      const unit = units.find((u) => u.name === n || u.addresses.some((a) => isSameIp(a.ip, n)));
      if (!unit) problems.push(`floating_ip.checks[${i}].addresses[${j}]: ${JSON.stringify(n)} is not allowed: it is none of the addresses or groups (${units.map((u) => u.name).join(', ')})`);
      else if (!attached.includes(unit.name)) attached.push(unit.name);
    });
    return { ...c, addresses: attached };
  });
}

function attemptEntry<T>(key: string, problems: string[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InvalidValueError) {
      problems.push(`${key}.${err.message}`);
      return undefined;
    }
    throw err;
  }
}
