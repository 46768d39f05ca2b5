import { spawn, type ChildProcess } from 'node:child_process';
import type { ReleaseGuardPort } from '../../application/index.js';
import type { FloatingAddress } from '../../domain/index.js';
import { C_LOCALE_ENV, holdProcess as hold } from '../system/command-runner.js';
import type { ReleasableAddressTable } from './release-command.js';

/**
 * A child `xargs -0 -r <tool>` holds the release command's arguments and waits for the end of its stdin.
 * Only this process holds the pipe's other end, so its death (kill -9, a crash) ends the input and
 * xargs removes the address. Disarming kills xargs before it sees the end, so nothing runs.
 *
 * After each disarm a spare xargs is started with nothing written to it, so that arming at a takeover is a
 * write to a pipe instead of a process start (about 10 ms of the takeover). A spare whose input ends runs
 * nothing (-r).
 */
export class XargsReleaseGuard implements ReleaseGuardPort {
  protected armed: { child: ChildProcess; key: string } | null = null;
  protected readonly firedListeners = new Set<(address: FloatingAddress) => void>();
  private spare: Promise<ChildProcess> | null = null;

  constructor(
    private readonly xargs: string,
    private readonly table: ReleasableAddressTable,
  ) {}

  async arm(address: FloatingAddress): Promise<void> {
    const { file, args } = this.table.releaseCommand(address);
    const key = [file, ...args].join(' ');
    if (this.armed && this.armed.key === key && alive(this.armed.child)) return;
    await this.kill();
    const child = await this.takeSpare(file);
    child.stdin!.write(this.input(args));
    hold(child, true);
    this.armed = { child, key };
    this.armedNow(address, child);
  }

  /** xargs keeps no time: the heartbeat mode has no lease to stay within (see DeadlineReleaseGuard). */
  deadline(_address: FloatingAddress, _inMs: number | null): void {}

  onFired(listener: (address: FloatingAddress) => void): () => void {
    this.firedListeners.add(listener);
    return () => this.firedListeners.delete(listener);
  }

  /** What the child reads once armed: the release command's arguments. */
  protected input(args: readonly string[]): string {
    return args.map((a) => `${a}\0`).join('');
  }

  /** The child that waits for its input to end, then runs `file` with the arguments it read. */
  protected launch(file: string): ChildProcess {
    return spawn(this.xargs, ['-0', '-r', file], { stdio: ['pipe', 'ignore', 'ignore'], env: C_LOCALE_ENV });
  }

  protected armedNow(_address: FloatingAddress, _child: ChildProcess): void {}

  async disarm(): Promise<void> {
    await this.kill();
    this.spare ??= this.start(this.table.releaseTool);
    // a spare that failed to start is only a missed saving: arm() starts its own
    this.spare.catch(() => undefined);
  }

  private async kill(): Promise<void> {
    const child = this.armed?.child;
    this.armed = null;
    if (!child || !alive(child)) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  private async takeSpare(file: string): Promise<ChildProcess> {
    const spare = this.spare;
    this.spare = null;
    const child = await spare?.catch(() => null);
    if (child && alive(child) && file === this.table.releaseTool) return child;
    child?.kill('SIGKILL');
    return this.start(file);
  }

  private async start(file: string): Promise<ChildProcess> {
    const child = this.launch(file);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.stdin!.on('error', () => undefined);
    // an idle spare must not keep an embedding process alive; an armed guard does, as it always did
    hold(child, false);
    return child;
  }
}

export function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}
