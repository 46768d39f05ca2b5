import { spawn, type ChildProcess } from 'node:child_process';
import type { LoggerPort } from '../../application/index.js';
import type { FloatingAddress } from '../../domain/index.js';
import type { ReleasableAddressTable } from './release-command.js';
import { XargsReleaseGuard, alive } from './xargs.release-guard.js';

/**
 * The release command's arguments come NUL-terminated, ended by an empty one (an input that ends before then runs
 * nothing, as a spare never armed); then deadlines, a line each: seconds from now, empty for none. The command runs
 * when the input ends (the daemon died) or when a deadline passes with no newer one (the daemon stood still).
 * bash's read -t counts fractions of a second and restarts with each line read.
 */
const SCRIPT = `set -f
args=()
while :; do
  IFS= read -r -d '' a || exit 0
  [ -n "$a" ] || break
  args+=("$a")
done
t=
while :; do
  if [ -n "$t" ]; then IFS= read -r -t "$t" t || break; else IFS= read -r t || break; fi
done
exec "$0" "\${args[@]}"`;

const GUARD_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C' };

/**
 * Quorum mode's release guard: as the xargs guard, it removes the address when this process dies, and it also does
 * so at the deadline the machine gives it (a little before the etcd lease can end), unless a renewal moved the
 * deadline first. So a daemon that stands still (SIGSTOP, a blocked event loop) while its peer takes the key once
 * the lease ends does not leave the address bound beside the new holder. The deadline is a delay, counted by the
 * child from when it reads it: the two processes need not share a clock.
 */
export class DeadlineReleaseGuard extends XargsReleaseGuard {
  /** performance.now() time of the deadline last given, kept for the next arm; null: none */
  private deadlineAt: number | null = null;

  constructor(
    private readonly bash: string,
    table: ReleasableAddressTable,
    private readonly logger?: LoggerPort,
  ) {
    super(bash, table);
  }

  override deadline(_address: FloatingAddress, inMs: number | null): void {
    this.deadlineAt = inMs === null ? null : performance.now() + inMs;
    const child = this.armed?.child;
    if (child && alive(child)) child.stdin!.write(this.deadlineLine());
  }

  /** A disarm ends the deadline too: the next arm gets the one given after it (the machine gives it before a bind). */
  override disarm(): Promise<void> {
    this.deadlineAt = null;
    return super.disarm();
  }

  protected override input(args: readonly string[]): string {
    return `${super.input(args)}\0${this.deadlineLine()}`;
  }

  protected override launch(file: string): ChildProcess {
    // no BASH_ENV, no exported functions: nothing from the daemon's environment may run in the guard
    return spawn(this.bash, ['-c', SCRIPT, file], { stdio: ['pipe', 'ignore', 'ignore'], env: GUARD_ENV });
  }

  /** A guard that ran while still armed was not killed by a release: its deadline passed first. */
  protected override armedNow(address: FloatingAddress, child: ChildProcess): void {
    child.once('exit', () => {
      if (this.armed?.child !== child) return;
      this.armed = null;
      this.logger?.warn(
        `the release guard removed ${address.toString()} at its deadline, before the etcd lease could end: this daemon did not release it in time (it stood still: a SIGSTOP, a blocked event loop)`,
      );
      for (const listener of this.firedListeners) listener(address);
    });
  }

  private deadlineLine(): string {
    if (this.deadlineAt === null) return '\n';
    // at least a millisecond: bash's read -t 0 only asks whether input is waiting
    const s = Math.max(1, this.deadlineAt - performance.now()) / 1000;
    return `${s.toFixed(3)}\n`;
  }
}
