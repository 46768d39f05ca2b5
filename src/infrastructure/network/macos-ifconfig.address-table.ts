import type { FloatingAddress } from '../../domain/index.js';
import { runChecked, runCommand, type RunCommand } from '../system/command-runner.js';
import { COMMAND_TIMEOUT_MS } from './ifconfig.address-table.js';
import type { ReleasableAddressTable } from './release-command.js';

const INET = /^\s+inet (\d{1,3}(?:\.\d{1,3}){3}) /gm;

/** Addresses in macOS `ifconfig <if>` output ("\tinet 192.168.3.234 netmask 0xffffff00 broadcast ..."). */
export function parseMacosIfconfig(output: string): string[] {
  return [...output.matchAll(INET)].map((m) => m[1]!);
}

/** macOS: BSD ifconfig has no labelled aliases; an alias is added to and removed from the interface itself. */
export class MacosIfconfigAddressTable implements ReleasableAddressTable {
  constructor(
    private readonly ifconfig: string,
    private readonly run: RunCommand = runCommand,
  ) {}

  async bind(address: FloatingAddress): Promise<void> {
    await runChecked(this.ifconfig, [address.interfaceName, 'alias', address.ip.toString(), address.netmask.toString()], COMMAND_TIMEOUT_MS, this.run);
  }

  async unbind(address: FloatingAddress): Promise<void> {
    const { file, args } = this.releaseCommand(address);
    await runChecked(file, args, COMMAND_TIMEOUT_MS, this.run);
  }

  releaseCommand(address: FloatingAddress): { file: string; args: string[] } {
    return { file: this.ifconfig, args: [address.interfaceName, '-alias', address.ip.toString()] };
  }

  async holds(address: FloatingAddress): Promise<boolean> {
    const output = await runChecked(this.ifconfig, [address.interfaceName], COMMAND_TIMEOUT_MS, this.run);
    return parseMacosIfconfig(output).includes(address.ip.toString());
  }
}
