import { InvalidValueError } from '../errors.js';

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export class Ipv4Address {
  readonly family = 4 as const;

  private constructor(private readonly value: number) {}

  static create(text: unknown, field = 'ip'): Ipv4Address {
    const parsed = typeof text === 'string' ? Ipv4Address.parse(text) : null;
    if (parsed === null) throw new InvalidValueError(field, text, 'must be a dotted IPv4 address such as 198.18.0.10');
    return new Ipv4Address(parsed);
  }

  static fromNumber(n: number): Ipv4Address {
    return new Ipv4Address(n >>> 0);
  }

  static isValid(text: unknown): boolean {
    return typeof text === 'string' && Ipv4Address.parse(text) !== null;
  }

  private static parse(text: string): number | null {
    const m = DOTTED_QUAD.exec(text.trim());
    if (!m) return null;
    const octets = m.slice(1).map(Number);
    // leading zeros read as octal by some tools, so refuse them rather than guess
    if (octets.some((o, i) => o > 255 || (m[i + 1]!.length > 1 && m[i + 1]!.startsWith('0')))) return null;
    return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  }

  toNumber(): number {
    return this.value;
  }

  /** Also takes an IPv6 address, which is never equal. */
  equals(other: { readonly family: 4 | 6 }): boolean {
    return other instanceof Ipv4Address && this.value === other.value;
  }

  compare(other: Ipv4Address): number {
    return this.value - other.value;
  }

  isLoopback(): boolean {
    return this.value >>> 24 === 127;
  }

  isLinkLocal(): boolean {
    return this.value >>> 16 === 0xa9fe;
  }

  isMulticast(): boolean {
    return this.value >>> 28 === 0xe;
  }

  isUnspecified(): boolean {
    return this.value === 0;
  }

  toString(): string {
    const v = this.value;
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }

  toJSON(): string {
    return this.toString();
  }
}
