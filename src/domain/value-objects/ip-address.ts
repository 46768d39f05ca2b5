import { InvalidValueError } from '../errors.js';
import { Ipv4Address } from './ipv4-address.js';
import { Ipv6Address } from './ipv6-address.js';

/** A floating address of either family. Heartbeats and peers stay IPv4; the address a node holds may be either. */
export type IpAddress = Ipv4Address | Ipv6Address;

/** Dotted text is IPv4, text with a colon IPv6. */
export function parseIpAddress(text: unknown, field = 'ip'): IpAddress {
  if (typeof text === 'string' && text.includes(':')) return Ipv6Address.create(text, field);
  if (typeof text === 'string' && Ipv4Address.isValid(text)) return Ipv4Address.create(text, field);
  throw new InvalidValueError(field, text, 'must be an IPv4 address such as 198.18.0.10 or an IPv6 address such as fd00:198:18::10');
}

export function isIpAddress(text: unknown): boolean {
  return Ipv4Address.isValid(text) || Ipv6Address.isValid(text);
}

/** Whether `text` (any spelling a tool prints) is this address; text that is no address is not. */
export function isSameIp(ip: IpAddress, text: string): boolean {
  try {
    return ip.equals(parseIpAddress(text));
  } catch {
    return false;
  }
}
