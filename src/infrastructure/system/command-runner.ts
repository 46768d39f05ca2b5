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

export type RunCommand = (file: string, args: readonly string[], timeoutMs: number) => Promise<CommandResult>;

/** Runs a program with a fixed argument list (never through a shell) and a deadline. */
export function runCommand(file: string, args: readonly string[], timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: C_LOCALE_ENV, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error && typeof error.code === 'string') {
        reject(new CommandFailedError(`${file} ${args.join(' ')}`, null, error.message));
        return;
      }
      const timedOut = Boolean(error?.killed);
      resolve({ code: timedOut ? null : (typeof error?.code === 'number' ? error.code : 0), stdout, stderr, timedOut });
    });
  });
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
