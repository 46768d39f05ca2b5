import { InvalidValueError } from '../errors.js';

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
const DOTTED_TAIL = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** An IPv6 address as eight 16-bit groups; printed in RFC 5952's canonical form, so two spellings compare equal. */
export class Ipv6Address {
  readonly family = 6 as const;

  private constructor(private readonly groups: readonly number[]) {}

  static create(text: unknown, field = 'ip'): Ipv6Address {
    const parsed = typeof text === 'string' ? Ipv6Address.parse(text) : null;
    if (parsed === null) throw new InvalidValueError(field, text, 'must be an IPv6 address such as fd00:198:18::10');
    return new Ipv6Address(parsed);
  }

  static isValid(text: unknown): boolean {
    return typeof text === 'string' && Ipv6Address.parse(text) !== null;
  }

  /** Hex groups with at most one "::", and optionally a dotted IPv4 tail; no zone index (a floating address has none). */
  private static parse(text: string): number[] | null {
    const s = text.trim();
    if (s.length === 0 || s.length > 45 || s.includes(':::')) return null;
    const halves = s.split('::');
    if (halves.length > 2) return null;
    const head = Ipv6Address.groupsOf(halves[0]!, halves.length === 1);
    const tail = halves.length === 2 ? Ipv6Address.groupsOf(halves[1]!, true) : [];
    if (head === null || tail === null) return null;
    if (halves.length === 1) return head.length === 8 ? head : null;
    // "::" stands for at least one group of zeros
    if (head.length + tail.length > 7) return null;
    return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }

  private static groupsOf(part: string, mayEndDotted: boolean): number[] | null {
    if (part === '') return [];
    const fields = part.split(':');
    const out: number[] = [];
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      if (HEX_GROUP.test(f)) {
        out.push(parseInt(f, 16));
        continue;
      }
      const m = i === fields.length - 1 && mayEndDotted ? DOTTED_TAIL.exec(f) : null;
      if (!m) return null;
      const octets = m.slice(1).map(Number);
      if (octets.some((o, k) => o > 255 || (m[k + 1]!.length > 1 && m[k + 1]!.startsWith('0')))) return null;
      out.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!);
    }
    return out;
  }

  equals(other: { readonly family: 4 | 6 }): boolean {
    return other instanceof Ipv6Address && other.groups.every((g, i) => g === this.groups[i]);
  }

  isLoopback(): boolean {
    return this.groups.slice(0, 7).every((g) => g === 0) && this.groups[7] === 1;
  }

  isLinkLocal(): boolean {
    return (this.groups[0]! & 0xffc0) === 0xfe80;
  }

  isMulticast(): boolean {
    return this.groups[0]! >>> 8 === 0xff;
  }

  isUnspecified(): boolean {
    return this.groups.every((g) => g === 0);
  }

  /** An IPv4-mapped address (::ffff:a.b.c.d) is IPv4 on the wire: never a floating IPv6 address. */
  isV4Mapped(): boolean {
    return this.groups.slice(0, 5).every((g) => g === 0) && this.groups[5] === 0xffff;
  }

  /** The 16 bytes, for packet building and prefix arithmetic. */
  toBytes(): number[] {
    return this.groups.flatMap((g) => [g >>> 8, g & 255]);
  }

  /** RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups (the first of equals) as "::". */
  toString(): string {
    let bestAt = -1;
    let bestLength = 1;
    for (let i = 0; i < 8; ) {
      if (this.groups[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && this.groups[j] === 0) j++;
      if (j - i > bestLength) {
        bestAt = i;
        bestLength = j - i;
      }
      i = j;
    }
    const hex = this.groups.map((g) => g.toString(16));
    if (bestAt < 0) return hex.join(':');
    return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLength).join(':')}`;
  }

  toJSON(): string {
    return this.toString();
  }
}
