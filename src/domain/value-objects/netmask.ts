import { InvalidValueError } from '../errors.js';
import { Ipv4Address } from './ipv4-address.js';

export class Netmask {
  private constructor(readonly prefixLength: number) {}

  static create(text: unknown, field = 'netmask'): Netmask {
    const allowed = 'must be a contiguous dotted netmask from 255.0.0.0 to 255.255.255.252, such as 255.255.255.0';
    if (!Ipv4Address.isValid(text)) throw new InvalidValueError(field, text, allowed);
    const bits = Ipv4Address.create(text).toNumber();
    const prefix = Netmask.prefixOf(bits);
    // /31 and /32 leave no room for a shared address beside the hosts' own
    if (prefix === null || prefix < 8 || prefix > 30) throw new InvalidValueError(field, text, allowed);
    return new Netmask(prefix);
  }

  static fromPrefix(prefix: number, field = 'netmask'): Netmask {
    if (!Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
      throw new InvalidValueError(field, prefix, 'must be a prefix length from 8 to 30');
    }
    return new Netmask(prefix);
  }

  private static prefixOf(bits: number): number | null {
    const inverted = ~bits >>> 0;
    // a contiguous mask inverted is 2^k - 1
    if ((inverted & (inverted + 1)) !== 0) return null;
    return 32 - Math.log2(inverted + 1);
  }

  toNumber(): number {
    return this.prefixLength === 0 ? 0 : (0xffffffff << (32 - this.prefixLength)) >>> 0;
  }

  networkOf(address: Ipv4Address): number {
    return (address.toNumber() & this.toNumber()) >>> 0;
  }

  contains(network: Ipv4Address, address: Ipv4Address): boolean {
    return this.networkOf(network) === this.networkOf(address);
  }

  /** Network or broadcast address of the subnet: never usable as a host address. */
  isReservedIn(address: Ipv4Address): boolean {
    const host = address.toNumber() & ~this.toNumber();
    return host === 0 || host === (~this.toNumber() >>> 0);
  }

  toString(): string {
    return Ipv4Address.fromNumber(this.toNumber()).toString();
  }

  toJSON(): string {
    return this.toString();
  }
}
