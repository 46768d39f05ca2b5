import { spawn, type ChildProcess } from 'node:child_process';
import type { ReleaseGuardPort } from '../../application/index.js';
import type { FloatingAddress } from '../../domain/index.js';
import { C_LOCALE_ENV } from '../system/command-runner.js';

/**
 * A child `xargs -0 ifconfig` holds the arguments "<if>:<label> down" and waits for the end of its stdin.
 * Only this process holds the pipe's other end, so its death (kill -9, a crash) ends the input and
 * xargs removes the address. Disarming kills xargs before it sees the end, so nothing runs.
 */
export class XargsReleaseGuard implements ReleaseGuardPort {
  private child: ChildProcess | null = null;
  private armedFor = '';

  constructor(
    private readonly xargs: string,
    private readonly ifconfig: string,
  ) {}

  async arm(address: FloatingAddress): Promise<void> {
    if (this.child && this.armedFor === address.aliasName && this.child.exitCode === null) return;
    await this.disarm();
    const child = spawn(this.xargs, ['-0', '-r', this.ifconfig], { stdio: ['pipe', 'ignore', 'ignore'], env: C_LOCALE_ENV });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.write(`${address.aliasName}\0down\0`);
    this.child = child;
    this.armedFor = address.aliasName;
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
