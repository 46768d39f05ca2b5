import type { FloatingAddress } from '../../domain/index.js';
import { runChecked, runCommand, type RunCommand } from '../system/command-runner.js';
import { COMMAND_TIMEOUT_MS } from './ifconfig.address-table.js';
import type { ReleasableAddressTable } from './release-command.js';

const INET = /\binet (\d{1,3}(?:\.\d{1,3}){3})\/\d+/g;

/** Addresses on an interface from `ip -4 -o addr show dev <if>`. */
export function parseIpAddrShow(output: string): string[] {
  return [...output.matchAll(INET)].map((m) => m[1]!);
}

/** Linux iproute2, for distributions without net-tools; the same eth0:fip label, so ifconfig users see it too. */
export class Iproute2AddressTable implements ReleasableAddressTable {
  constructor(
    private readonly ip: string,
    private readonly run: RunCommand = runCommand,
  ) {}

  private cidr(address: FloatingAddress): string {
    return `${address.ip.toString()}/${address.netmask.prefixLength}`;
  }

  async bind(address: FloatingAddress): Promise<void> {
    await runChecked(this.ip, ['addr', 'add', this.cidr(address), 'dev', address.interfaceName, 'label', address.aliasName], COMMAND_TIMEOUT_MS, this.run);
  }

  async unbind(address: FloatingAddress): Promise<void> {
    const { file, args } = this.releaseCommand(address);
    await runChecked(file, args, COMMAND_TIMEOUT_MS, this.run);
  }

  releaseCommand(address: FloatingAddress): { file: string; args: string[] } {
    return { file: this.ip, args: ['addr', 'del', this.cidr(address), 'dev', address.interfaceName] };
  }

  async holds(address: FloatingAddress): Promise<boolean> {
    const output = await runChecked(this.ip, ['-4', '-o', 'addr', 'show', 'dev', address.interfaceName], COMMAND_TIMEOUT_MS, this.run);
    return parseIpAddrShow(output).includes(address.ip.toString());
  }
}
