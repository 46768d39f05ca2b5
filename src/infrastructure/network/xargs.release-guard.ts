import { spawn, type ChildProcess } from 'node:child_process';
import type { ReleaseGuardPort } from '../../application/index.js';
import type { FloatingAddress } from '../../domain/index.js';
import { C_LOCALE_ENV } from '../system/command-runner.js';
import type { ReleasableAddressTable } from './release-command.js';

/**
 * A child `xargs -0 <tool>` holds the release command's arguments and waits for the end of its stdin.
 * Only this process holds the pipe's other end, so its death (kill -9, a crash) ends the input and
 * xargs removes the address. Disarming kills xargs before it sees the end, so nothing runs.
 */
export class XargsReleaseGuard implements ReleaseGuardPort {
  private child: ChildProcess | null = null;
  private armedFor = '';

  constructor(
    private readonly xargs: string,
    private readonly table: ReleasableAddressTable,
  ) {}

  async arm(address: FloatingAddress): Promise<void> {
    const { file, args } = this.table.releaseCommand(address);
    const key = [file, ...args].join(' ');
    if (this.child && this.armedFor === key && this.child.exitCode === null) return;
    await this.disarm();
    // xargs waits for the end of its input before it runs anything, with or without -r
    const child = spawn(this.xargs, ['-0', file], { stdio: ['pipe', 'ignore', 'ignore'], env: C_LOCALE_ENV });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.write(args.map((a) => `${a}\0`).join(''));
    this.child = child;
    this.armedFor = key;
  }

  async disarm(): Promise<void> {
    const child = this.child;
    this.child = null;
    this.armedFor = '';
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}
