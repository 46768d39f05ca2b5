import type { FloatingAddress } from '../../domain/index.js';
import type { CommandLine } from '../system/command-runner.js';
import { CommandAddressTable, ipv6Holds } from './release-command.js';

const INET = /\binet (\d{1,3}(?:\.\d{1,3}){3})\/\d+/g;
const INET6 = /\binet6 ([0-9A-Fa-f:.]+)\/\d+/g;

/** Addresses on an interface from `ip -4 -o addr show dev <if>`. */
export function parseIpAddrShow(output: string): string[] {
  return [...output.matchAll(INET)].map((m) => m[1]!);
}

/** IPv6 addresses on an interface from `ip -6 -o addr show dev <if>`, as ip prints them (compare with ipv6Holds). */
export function parseIp6AddrShow(output: string): string[] {
  return [...output.matchAll(INET6)].map((m) => m[1]!);
}

/**
 * `ip -6 addr add <cidr> dev <if> nodad`: nodad, because floatip has already probed the link, and duplicate address
 * detection would keep the address tentative (unusable) for a second or more of the takeover. Linux keeps no label
 * on an IPv6 address, so there is none.
 */
export function ipv6AddCommand(ip: string, address: FloatingAddress): CommandLine {
  return { file: ip, args: ['-6', 'addr', 'add', address.cidr, 'dev', address.interfaceName, 'nodad'] };
}

/** Linux iproute2, for distributions without net-tools; an IPv4 address gets the same eth0:fip label, so ifconfig users see it too. */
export class Iproute2AddressTable extends CommandAddressTable {
  bindCommand(address: FloatingAddress): CommandLine {
    if (address.family === 6) return ipv6AddCommand(this.tool, address);
    return { file: this.tool, args: ['addr', 'add', address.cidr, 'dev', address.interfaceName, 'label', address.aliasName] };
  }

  releaseCommand(address: FloatingAddress): CommandLine {
    const family = address.family === 6 ? ['-6'] : [];
    return { file: this.tool, args: [...family, 'addr', 'del', address.cidr, 'dev', address.interfaceName] };
  }

  async holds(address: FloatingAddress): Promise<boolean> {
    const { ip } = address;
    if (ip.family === 6) return ipv6Holds(parseIp6AddrShow(await this.command(['-6', '-o', 'addr', 'show', 'dev', address.interfaceName])), ip);
    const output = await this.command(['-4', '-o', 'addr', 'show', 'dev', address.interfaceName]);
    return parseIpAddrShow(output).includes(ip.toString());
  }
}
