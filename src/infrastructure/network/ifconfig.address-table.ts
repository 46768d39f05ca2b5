import type { AddressTablePort } from '../../application/index.js';
import type { FloatingAddress } from '../../domain/index.js';
import { runChecked } from '../system/command-runner.js';
import { parseIfconfig } from './ifconfig-output.parser.js';

const COMMAND_TIMEOUT_MS = 5000;

/** Binds the address as a labelled alias (eth0:fip) with net-tools `ifconfig`. */
export class IfconfigAddressTable implements AddressTablePort {
  constructor(private readonly ifconfig: string) {}

  async bind(address: FloatingAddress): Promise<void> {
    await runChecked(
      this.ifconfig,
      [address.aliasName, address.ip.toString(), 'netmask', address.netmask.toString(), 'up'],
      COMMAND_TIMEOUT_MS,
    );
  }

  async unbind(address: FloatingAddress): Promise<void> {
    await runChecked(this.ifconfig, [address.aliasName, 'down'], COMMAND_TIMEOUT_MS);
  }

  async holds(address: FloatingAddress): Promise<boolean> {
    const output = await runChecked(this.ifconfig, ['-a'], COMMAND_TIMEOUT_MS);
    const ip = address.ip.toString();
    return parseIfconfig(output).some(
      (b) => (b.name === address.interfaceName || b.name.startsWith(`${address.interfaceName}:`)) && b.inet.includes(ip),
    );
  }
}
