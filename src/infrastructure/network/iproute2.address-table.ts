import type { FloatingAddress } from '../../domain/index.js';
import type { CommandLine } from '../system/command-runner.js';
import { CommandAddressTable } from './release-command.js';

const INET = /\binet (\d{1,3}(?:\.\d{1,3}){3})\/\d+/g;

/** Addresses on an interface from `ip -4 -o addr show dev <if>`. */
export function parseIpAddrShow(output: string): string[] {
  return [...output.matchAll(INET)].map((m) => m[1]!);
}

/** Linux iproute2, for distributions without net-tools; the same eth0:fip label, so ifconfig users see it too. */
export class Iproute2AddressTable extends CommandAddressTable {
  override async bind(address: FloatingAddress): Promise<void> {
    try {
      await super.bind(address);
    } catch (err) {
      // `ip addr add` refuses an address that is already there ("File exists"); the port's bind does not
      if (!(await this.holds(address).catch(() => false))) throw err;
    }
  }

  bindCommand(address: FloatingAddress): CommandLine {
    return { file: this.tool, args: ['addr', 'add', address.cidr, 'dev', address.interfaceName, 'label', address.aliasName] };
  }

  releaseCommand(address: FloatingAddress): CommandLine {
    return { file: this.tool, args: ['addr', 'del', address.cidr, 'dev', address.interfaceName] };
  }

  async holds(address: FloatingAddress): Promise<boolean> {
    const output = await this.command(['-4', '-o', 'addr', 'show', 'dev', address.interfaceName]);
    return parseIpAddrShow(output).includes(address.ip.toString());
  }
}
