import type { LoggerPort } from '../../application/index.js';
import type { FloatingAddress } from '../../domain/index.js';
import { runCommand, type CommandLine, type RunCommand } from '../system/command-runner.js';
import { parseIfconfig } from './ifconfig-output.parser.js';
import { ipv6AddCommand } from './iproute2.address-table.js';
import { CommandAddressTable, ipv6Holds } from './release-command.js';

/**
 * Linux net-tools: an IPv4 address is a labelled alias, `ifconfig eth0:fip <ip> netmask <mask> up`.
 *
 * An IPv6 address has no alias. net-tools cannot say nodad, and with duplicate address detection the kernel keeps the
 * address tentative, refusing its traffic, for one to two seconds of every takeover. So where iproute2's ip is also
 * installed it binds with `ip -6 addr add … nodad`; only without it `ifconfig <if> inet6 add <cidr>`, and that is
 * logged once. The release is `ifconfig <if> inet6 del <cidr>` either way, so every release command is ifconfig and
 * the release guard's spare process, started for it ahead of time, serves both families.
 */
export class IfconfigAddressTable extends CommandAddressTable {
  private warned = false;

  constructor(
    tool: string,
    run: RunCommand = runCommand,
    private readonly ipv6: { readonly ip: string | null; readonly logger?: LoggerPort } = { ip: null },
  ) {
    super(tool, run);
  }

  override async bind(address: FloatingAddress): Promise<void> {
    if (address.family === 6 && !this.ipv6.ip && !this.warned) {
      this.warned = true;
      this.ipv6.logger?.warn(
        `${address.ip.toString()}: net-tools ifconfig cannot bind an IPv6 address without duplicate address detection, so it is tentative for 1 to 2 s after each bind; install iproute2 (ip) to bind it at once`,
      );
    }
    await super.bind(address);
  }

  bindCommand(address: FloatingAddress): CommandLine {
    if (address.family === 6) {
      return this.ipv6.ip ? ipv6AddCommand(this.ipv6.ip, address) : { file: this.tool, args: [address.interfaceName, 'inet6', 'add', address.cidr] };
    }
    return { file: this.tool, args: [address.aliasName, address.ip.toString(), 'netmask', String(address.netmask), 'up'] };
  }

  releaseCommand(address: FloatingAddress): CommandLine {
    if (address.family === 6) return { file: this.tool, args: [address.interfaceName, 'inet6', 'del', address.cidr] };
    return { file: this.tool, args: [address.aliasName, 'down'] };
  }

  async holds(address: FloatingAddress): Promise<boolean> {
    const output = await this.command(['-a']);
    const { ip } = address;
    const blocks = parseIfconfig(output).filter((b) => b.name === address.interfaceName || b.name.startsWith(`${address.interfaceName}:`));
    return ip.family === 6 ? blocks.some((b) => ipv6Holds(b.inet6, ip)) : blocks.some((b) => b.inet.includes(ip.toString()));
  }
}
