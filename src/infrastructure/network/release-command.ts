import type { AddressTablePort } from '../../application/index.js';
import { isSameIp, type FloatingAddress, type Ipv6Address } from '../../domain/index.js';
import { runChecked, runCommand, type CommandLine, type RunCommand } from '../system/command-runner.js';

export const COMMAND_TIMEOUT_MS = 5000;

/** Whether one of these texts is the address, whichever way a tool spelled it (fd00:198:18:0::234 is fd00:198:18::234). */
export function ipv6Holds(texts: readonly string[], ip: Ipv6Address): boolean {
  return texts.some((t) => isSameIp(ip, t));
}

/** An address table that can say, as a fixed argument list, how to remove the address without it. */
export interface ReleasableAddressTable extends AddressTablePort {
  /** The program of every release command, known before any address is: the guard starts it ahead of time. */
  readonly releaseTool: string;
  releaseCommand(address: FloatingAddress): CommandLine;
}

/**
 * What the command-line address tables share: one tool, run with a deadline, a bind that is exactly the command
 * that can be started ahead of time, and an unbind that is exactly the release command the guard would run.
 * Each dispatches on the address's family inside its commands.
 */
export abstract class CommandAddressTable implements ReleasableAddressTable {
  constructor(
    protected readonly tool: string,
    private readonly run: RunCommand = runCommand,
  ) {}

  get releaseTool(): string {
    return this.tool;
  }

  /** The command bind() runs: it can be started ahead of time. */
  abstract bindCommand(address: FloatingAddress): CommandLine;
  abstract holds(address: FloatingAddress): Promise<boolean>;
  abstract releaseCommand(address: FloatingAddress): CommandLine;

  async bind(address: FloatingAddress): Promise<void> {
    const { file, args } = this.bindCommand(address);
    try {
      await runChecked(file, args, COMMAND_TIMEOUT_MS, this.run);
    } catch (err) {
      // `ip addr add` and `ifconfig inet6 add` refuse an address that is already there ("File exists"); the port's bind does not
      if (!(await this.holds(address).catch(() => false))) throw err;
    }
  }

  async unbind(address: FloatingAddress): Promise<void> {
    const { file, args } = this.releaseCommand(address);
    try {
      await runChecked(file, args, COMMAND_TIMEOUT_MS, this.run);
    } catch (err) {
      // gone already (the release guard, quorum mode's, removed it at its deadline): what the port's unbind asks for
      if (await this.holds(address).catch(() => true)) throw err;
    }
  }

  /** Runs the tool and returns its output; a non-zero exit fails with the tool's own message. */
  protected command(args: readonly string[]): Promise<string> {
    return runChecked(this.tool, args, COMMAND_TIMEOUT_MS, this.run);
  }
}
