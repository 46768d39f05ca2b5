import { InvalidValueError } from '../errors.js';
import type { Ipv4Address } from '../value-objects/ipv4-address.js';
import type { Netmask } from '../value-objects/netmask.js';

/** Linux keeps interface names, alias labels included, within IFNAMSIZ - 1 characters. */
export const MAX_ALIAS_NAME_LENGTH = 15;
const LABEL = /^[A-Za-z0-9_-]{1,14}$/;
const INTERFACE = /^[A-Za-z0-9_.-]{1,15}$/;

/** The shared address and where it lives on this host. */
export class FloatingAddress {
  private constructor(
    readonly ip: Ipv4Address,
    readonly netmask: Netmask,
    readonly interfaceName: string,
    readonly label: string,
  ) {}

  static create(props: { ip: Ipv4Address; netmask: Netmask; interfaceName: string; label: string }): FloatingAddress {
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
    if (props.ip.isLoopback() || props.ip.isMulticast() || props.ip.isUnspecified() || props.ip.isLinkLocal()) {
      throw new InvalidValueError('ip', props.ip.toString(), 'must be a unicast address outside loopback and link-local ranges');
    }
    if (props.netmask.isReservedIn(props.ip)) {
      throw new InvalidValueError('ip', props.ip.toString(), `is the network or broadcast address of its /${props.netmask.prefixLength} subnet`);
    }
    return new FloatingAddress(props.ip, props.netmask, props.interfaceName, props.label);
  }

  /** The alias name the address is bound under, such as eth0:fip. */
  get aliasName(): string {
    return `${this.interfaceName}:${this.label}`;
  }

  toString(): string {
    return `${this.ip.toString()}/${this.netmask.prefixLength} on ${this.aliasName}`;
  }
}
