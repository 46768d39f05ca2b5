import { execFile, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CommandFailedError, PreconditionError } from '../errors.js';

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Ended by us at its deadline rather than by itself. */
  readonly timedOut: boolean;
}

/** The C locale, so the output we parse never comes translated. */
export const C_LOCALE_ENV = { ...process.env, LANG: 'C', LC_ALL: 'C' };

export const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Looks on PATH only, so PATH decides which tools floatip uses (systemd's default PATH has the sbin directories). */
export function findTool(name: string, path = process.env['PATH'] ?? ''): string | null {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** `hintDirs`: where to look for a tool that is installed but off PATH, to say so instead of "install it". */
export function requireTool(name: string, pkg: string, path = process.env['PATH'] ?? '', hintDirs: readonly string[] = SBIN_DIRS): string {
  const found = findTool(name, path);
  if (found) return found;
  const offPath = findTool(name, hintDirs.join(delimiter));
  if (offPath) throw new PreconditionError(`\`${name}\` is at ${offPath} but not on PATH (${path}): add ${offPath.slice(0, offPath.lastIndexOf('/'))} to PATH`);
  throw new PreconditionError(`\`${name}\` was not found on PATH: install ${pkg}`);
}

export interface RunOptions {
  /**
   * Done as soon as the output so far says so: the result comes then (code null, not timed out) and the process is
   * killed. arping prints its reply within milliseconds, then spends 15 to 40 more closing its packet socket.
   */
  readonly doneWhen?: (stdout: string) => boolean;
}

export type RunCommand = (file: string, args: readonly string[], timeoutMs: number, options?: RunOptions) => Promise<CommandResult>;

/**
 * Runs a program with a fixed argument list (never through a shell) and a deadline. The deadline is judged after the
 * output already waiting is read: when this process stood still past it (a busy event loop), an answer that came
 * in time still counts.
 */
export function runCommand(file: string, args: readonly string[], timeoutMs: number, options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let timedOut = false;
    let judge: NodeJS.Immediate | undefined;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      if (judge) clearImmediate(judge);
      return true;
    };
    const child = execFile(file, args, { env: C_LOCALE_ENV, killSignal: 'SIGKILL', maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (!settle()) return;
      if (error && typeof error.code === 'string') reject(new CommandFailedError(`${file} ${args.join(' ')}`, null, error.message));
      else resolve({ code: timedOut ? null : typeof error?.code === 'number' ? error.code : 0, stdout, stderr, timedOut });
    });
    const { doneWhen } = options;
    if (doneWhen) {
      let seen = '';
      child.stdout?.on('data', (chunk: string | Buffer) => {
        seen += chunk.toString();
        if (!doneWhen(seen) || !settle()) return;
        end(child);
        resolve({ code: null, stdout: seen, stderr: '', timedOut: false });
      });
    }
    // timers run before the poll for I/O in each turn of the loop: the kill waits for that poll (setImmediate)
    const timer = setTimeout(() => {
      judge = setImmediate(() => {
        if (settled) return;
        // exited in time, its pipes held open by a child of its own: its output so far is the answer
        if (child.exitCode !== null || child.signalCode !== null) closePipes(child);
        else {
          timedOut = true;
          end(child);
        }
      });
    }, timeoutMs);
  });
}

/** Killed, its pipes closed first: a child of its own (a shell's) may hold them open long after (as execFile does). */
function end(child: ChildProcess): void {
  closePipes(child);
  child.kill('SIGKILL');
}

function closePipes(child: ChildProcess): void {
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** Like runCommand but fails unless the program exits 0. */
export async function runChecked(file: string, args: readonly string[], timeoutMs: number, run: RunCommand = runCommand): Promise<string> {
  const r = await run(file, args, timeoutMs);
  if (r.code !== 0) {
    const output = (r.stderr || r.stdout).trim().split('\n').slice(0, 3).join('; ');
    throw new CommandFailedError(`${file} ${args.join(' ')}`, r.code, r.timedOut ? `no answer within ${timeoutMs} ms` : output);
  }
  return r.stdout;
}

/** A program and its fixed arguments: what an adapter will run, known before it runs it. */
export interface CommandLine {
  file: string;
  args: string[];
}

/** Whether a helper process started ahead of time, and its pipes, keep this process alive: an idle one must not. */
export function holdProcess(child: ChildProcess, keepAlive: boolean): void {
  for (const s of [child, child.stdin, child.stdout, child.stderr] as ({ ref?(): void; unref?(): void } | null)[]) {
    if (keepAlive) s?.ref?.();
    else s?.unref?.();
  }
}
