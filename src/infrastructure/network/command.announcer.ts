import type { AnnouncerPort } from '../../application/index.js';
import type { FloatingAddress } from '../../domain/index.js';
import { runChecked, type CommandLine, type RunCommand } from '../system/command-runner.js';
import { AnnounceSchedule } from './announce-schedule.js';

const SEND_TIMEOUT_MS = 3000;

/** An announcer whose every packet is one short command (arping, na6), timed by an AnnounceSchedule. */
export abstract class CommandAnnouncer implements AnnouncerPort {
  private readonly schedule = new AnnounceSchedule();

  constructor(
    protected readonly run: RunCommand,
    /** iproute2's ip, for the neighbour table; null where it is missing (then nothing is forgotten) */
    private readonly ip: string | null,
  ) {}

  /** The command that sends one packet: it can be started ahead of time. */
  abstract sendCommand(address: FloatingAddress): CommandLine;

  /** `ip` options naming the neighbour table's family, before `neigh` (none: every family). */
  protected abstract readonly neighbourFamily: readonly string[];

  async forgetUnresolvedNeighbours(address: FloatingAddress): Promise<void> {
    if (!this.ip) return;
    const args = [...this.neighbourFamily, 'neigh', 'flush', 'dev', address.interfaceName, 'nud', 'incomplete', 'nud', 'failed'];
    await runChecked(this.ip, args, SEND_TIMEOUT_MS, this.run);
  }

  announce(address: FloatingAddress, count: number): Promise<void> {
    return this.schedule.start(address, count, () => this.send(address));
  }

  cancel(address?: FloatingAddress): void {
    this.schedule.cancel(address);
  }

  private async send(address: FloatingAddress): Promise<void> {
    const { file, args } = this.sendCommand(address);
    await runChecked(file, args, SEND_TIMEOUT_MS, this.run);
  }
}
