import type { FloatingAddress } from '../../domain/index.js';
import type { CommandLine } from '../system/command-runner.js';
import { CommandAddressTable } from './release-command.js';

const INET = /^\s+inet (\d{1,3}(?:\.\d{1,3}){3}) /gm;

/** Addresses in macOS `ifconfig <if>` output ("\tinet 192.168.3.234 netmask 0xffffff00 broadcast ..."). */
export function parseMacosIfconfig(output: string): string[] {
  return [...output.matchAll(INET)].map((m) => m[1]!);
}

/** macOS: BSD ifconfig has no labelled aliases; an alias is added to and removed from the interface itself. */
export class MacosIfconfigAddressTable extends CommandAddressTable {
  bindCommand(address: FloatingAddress): CommandLine {
    return { file: this.tool, args: [address.interfaceName, 'alias', address.ip.toString(), String(address.netmask)] };
  }

  releaseCommand(address: FloatingAddress): CommandLine {
    return { file: this.tool, args: [address.interfaceName, '-alias', address.ip.toString()] };
  }

  async holds(address: FloatingAddress): Promise<boolean> {
    return parseMacosIfconfig(await this.command([address.interfaceName])).includes(address.ip.toString());
  }
}
