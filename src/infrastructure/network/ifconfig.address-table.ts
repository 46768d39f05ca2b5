import type { FloatingAddress } from '../../domain/index.js';
import { runChecked, runCommand, type RunCommand } from '../system/command-runner.js';
import { parseIfconfig } from './ifconfig-output.parser.js';
import type { ReleasableAddressTable } from './release-command.js';

export const COMMAND_TIMEOUT_MS = 5000;

/** Linux net-tools: the address is a labelled alias, `ifconfig eth0:fip <ip> netmask <mask> up`. */
export class IfconfigAddressTable implements ReleasableAddressTable {
  constructor(
    private readonly ifconfig: string,
    private readonly run: RunCommand = runCommand,
  ) {}

  async bind(address: FloatingAddress): Promise<void> {
    await runChecked(this.ifconfig, [address.aliasName, address.ip.toString(), 'netmask', address.netmask.toString(), 'up'], COMMAND_TIMEOUT_MS, this.run);
  }

  async unbind(address: FloatingAddress): Promise<void> {
    const { file, args } = this.releaseCommand(address);
    await runChecked(file, args, COMMAND_TIMEOUT_MS, this.run);
  }

  releaseCommand(address: FloatingAddress): { file: string; args: string[] } {
    return { file: this.ifconfig, args: [address.aliasName, 'down'] };
  }

  async holds(address: FloatingAddress): Promise<boolean> {
    const output = await runChecked(this.ifconfig, ['-a'], COMMAND_TIMEOUT_MS, this.run);
    const ip = address.ip.toString();
    return parseIfconfig(output).some(
      (b) => (b.name === address.interfaceName || b.name.startsWith(`${address.interfaceName}:`)) && b.inet.includes(ip),
    );
  }
}
