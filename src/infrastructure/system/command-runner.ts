import { execFile } from 'node:child_process';
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

// Tools live in sbin on Debian, which a non-login root shell may not have on PATH.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin'];

export function findTool(name: string, path = process.env['PATH'] ?? ''): string | null {
  for (const dir of [...path.split(delimiter).filter(Boolean), ...EXTRA_DIRS]) {
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

export function requireTool(name: string, debianPackage: string): string {
  const found = findTool(name);
  if (!found) throw new PreconditionError(`\`${name}\` was not found on PATH or in /usr/sbin, /sbin: install the ${debianPackage} package`);
  return found;
}

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
export async function runChecked(file: string, args: readonly string[], timeoutMs: number): Promise<string> {
  const r = await runCommand(file, args, timeoutMs);
  if (r.code !== 0) {
    const output = (r.stderr || r.stdout).trim().split('\n').slice(0, 3).join('; ');
    throw new CommandFailedError(`${file} ${args.join(' ')}`, r.code, r.timedOut ? `no answer within ${timeoutMs} ms` : output);
  }
  return r.stdout;
}

