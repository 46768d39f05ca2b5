import type { FloatingAddress } from '../../domain/index.js';
import type { CommandLine } from '../system/command-runner.js';
import { parseIfconfig } from './ifconfig-output.parser.js';
import { CommandAddressTable } from './release-command.js';

/** Linux net-tools: the address is a labelled alias, `ifconfig eth0:fip <ip> netmask <mask> up`. */
export class IfconfigAddressTable extends CommandAddressTable {
  bindCommand(address: FloatingAddress): CommandLine {
    return { file: this.tool, args: [address.aliasName, address.ip.toString(), 'netmask', String(address.netmask), 'up'] };
  }

  releaseCommand(address: FloatingAddress): CommandLine {
    return { file: this.tool, args: [address.aliasName, 'down'] };
  }

  async holds(address: FloatingAddress): Promise<boolean> {
    const output = await this.command(['-a']);
    const ip = address.ip.toString();
    return parseIfconfig(output).some(
      (b) => (b.name === address.interfaceName || b.name.startsWith(`${address.interfaceName}:`)) && b.inet.includes(ip),
    );
  }
}
