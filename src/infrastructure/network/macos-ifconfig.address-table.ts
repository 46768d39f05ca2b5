import type { FloatingAddress } from '../../domain/index.js';
import type { CommandLine } from '../system/command-runner.js';
import { CommandAddressTable, ipv6Holds } from './release-command.js';

const INET = /^\s+inet (\d{1,3}(?:\.\d{1,3}){3}) /gm;
// "\tinet6 fe80::1c7a:2b9f:9e4d:1a2b%en0 prefixlen 64 ..." or "\tinet6 fd00:198:18::234 prefixlen 64"
const INET6 = /^\s+inet6 ([0-9A-Fa-f:.]+)(?:%\S+)? prefixlen /gm;

/** Addresses in macOS `ifconfig <if>` output ("\tinet 192.168.3.234 netmask 0xffffff00 broadcast ..."). */
export function parseMacosIfconfig(output: string): string[] {
  return [...output.matchAll(INET)].map((m) => m[1]!);
}

/** IPv6 addresses in macOS `ifconfig <if>` output, without their zone ("%en0"). */
export function parseMacosIfconfig6(output: string): string[] {
  return [...output.matchAll(INET6)].map((m) => m[1]!);
}

/**
 * macOS: BSD ifconfig has no labelled aliases; an alias is added to and removed from the interface itself, IPv6
 * with `inet6 <ip> prefixlen <n> alias`. BSD has no per-address nodad: its kernel runs duplicate address detection.
 */
export class MacosIfconfigAddressTable extends CommandAddressTable {
  bindCommand(address: FloatingAddress): CommandLine {
    const ip = address.ip.toString();
    if (address.family === 6) return { file: this.tool, args: [address.interfaceName, 'inet6', ip, 'prefixlen', String(address.prefixLength), 'alias'] };
    return { file: this.tool, args: [address.interfaceName, 'alias', ip, String(address.netmask)] };
  }

  releaseCommand(address: FloatingAddress): CommandLine {
    const ip = address.ip.toString();
    if (address.family === 6) return { file: this.tool, args: [address.interfaceName, 'inet6', ip, '-alias'] };
    return { file: this.tool, args: [address.interfaceName, '-alias', ip] };
  }

  async holds(address: FloatingAddress): Promise<boolean> {
    const output = await this.command([address.interfaceName]);
    const { ip } = address;
    return ip.family === 6 ? ipv6Holds(parseMacosIfconfig6(output), ip) : parseMacosIfconfig(output).includes(ip.toString());
  }
}
