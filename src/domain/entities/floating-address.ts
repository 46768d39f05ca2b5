import { InvalidValueError } from '../errors.js';
import type { IpAddress } from '../value-objects/ip-address.js';
import { Netmask } from '../value-objects/netmask.js';

/** Linux keeps interface names, alias labels included, within IFNAMSIZ - 1 characters. */
export const MAX_ALIAS_NAME_LENGTH = 15;
const LABEL = /^[A-Za-z0-9_-]{1,14}$/;
const INTERFACE = /^[A-Za-z0-9_.-]{1,15}$/;
/** An IPv6 floating address needs an on-link prefix no shorter than a /16 and may be a /128. */
const V6_PREFIX = { min: 16, max: 128 };

/** The shared address and where it lives on this host. */
export class FloatingAddress {
  private constructor(
    readonly ip: IpAddress,
    readonly prefixLength: number,
    readonly interfaceName: string,
    readonly label: string,
  ) {}

  /** IPv4 takes `netmask`; either family may give `prefixLength` instead. */
  static create(props: { ip: IpAddress; netmask?: Netmask; prefixLength?: number; interfaceName: string; label: string }): FloatingAddress {
    if (!INTERFACE.test(props.interfaceName)) {
      throw new InvalidValueError('interface', props.interfaceName, 'must be an interface name of 1 to 15 letters, digits, ".", "_" or "-"');
    }
    if (!LABEL.test(props.label)) {
      throw new InvalidValueError('label', props.label, 'must be 1 to 14 letters, digits, "_" or "-"');
    }
    const alias = `${props.interfaceName}:${props.label}`;
    if (alias.length > MAX_ALIAS_NAME_LENGTH) {
      throw new InvalidValueError(
        'label',
        props.label,
        `"${alias}" is longer than ${MAX_ALIAS_NAME_LENGTH} characters; choose a label of at most ${MAX_ALIAS_NAME_LENGTH - props.interfaceName.length - 1}`,
      );
    }
    const { ip } = props;
    if (ip.isLoopback() || ip.isMulticast() || ip.isUnspecified() || ip.isLinkLocal() || (ip.family === 6 && ip.isV4Mapped())) {
      throw new InvalidValueError('ip', ip.toString(), 'must be a unicast address outside loopback and link-local ranges');
    }
    if (ip.family === 6) {
      if (props.netmask) throw new InvalidValueError('netmask', props.netmask.toString(), 'applies to IPv4 only: give an IPv6 address prefix_length');
      const prefix = props.prefixLength ?? 64;
      if (!Number.isInteger(prefix) || prefix < V6_PREFIX.min || prefix > V6_PREFIX.max) {
        throw new InvalidValueError('prefix_length', prefix, `must be a whole number from ${V6_PREFIX.min} to ${V6_PREFIX.max} for IPv6`);
      }
      return new FloatingAddress(ip, prefix, props.interfaceName, props.label);
    }
    const netmask = props.netmask ?? (props.prefixLength === undefined ? Netmask.fromPrefix(24) : Netmask.fromPrefix(props.prefixLength, 'prefix_length'));
    if (netmask.isReservedIn(ip)) {
      throw new InvalidValueError('ip', ip.toString(), `is the network or broadcast address of its /${netmask.prefixLength} subnet`);
    }
    return new FloatingAddress(ip, netmask.prefixLength, props.interfaceName, props.label);
  }

  get family(): 4 | 6 {
    return this.ip.family;
  }

  /** The IPv4 netmask; null for IPv6, which has only a prefix length. */
  get netmask(): Netmask | null {
    return this.ip.family === 4 ? Netmask.fromPrefix(this.prefixLength) : null;
  }

  /** The alias name the address is bound under, such as eth0:fip (IPv4; Linux keeps no labels on IPv6 addresses). */
  get aliasName(): string {
    return `${this.interfaceName}:${this.label}`;
  }

  /** The address with its prefix, as `ip addr` takes it. */
  get cidr(): string {
    return `${this.ip.toString()}/${this.prefixLength}`;
  }

  toString(): string {
    return this.ip.family === 6 ? `${this.cidr} on ${this.interfaceName}` : `${this.cidr} on ${this.aliasName}`;
  }
}
