import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, resolve } from 'node:path';

/** What `execvp` would run for a program name, or why it could not run it. */
export type ExecutableLookup = { readonly found: true; readonly path: string } | { readonly found: false; readonly problem: string };

// glibc's execvp searches this when PATH is unset (confstr _CS_PATH).
const DEFAULT_PATH = '/bin:/usr/bin';

/**
 * Resolves a program the way execvp (and so Node's execFile) does: a name with a slash is a path, absolute or
 * relative to `cwd`; any other name is looked up in each PATH directory in turn (an empty entry is `cwd`), and the
 * first regular file this user may execute wins. A directory, or a file without the execute permission, fails.
 * Only the file is checked: not a script's #! interpreter, nor what the program does. The permission is this user's,
 * so `check` run as another user than the daemon's may judge otherwise.
 */
export function findExecutable(name: string, path: string | undefined = process.env['PATH'], cwd: string = process.cwd()): ExecutableLookup {
  if (name === '') return { found: false, problem: 'the program name is empty' };
  if (name.includes('/')) {
    const file = isAbsolute(name) ? name : resolve(cwd, name);
    const problem = whyNotExecutable(file);
    return problem === null ? { found: true, path: file } : { found: false, problem: `${name} ${problem}` };
  }
  const dirs = (path ?? DEFAULT_PATH).split(delimiter);
  const unusable: string[] = [];
  for (const dir of dirs) {
    const file = resolve(cwd, dir, name);
    const problem = whyNotExecutable(file);
    if (problem === null) return { found: true, path: file };
    // execvp skips these and goes on; they are worth naming if nothing else is found
    if (problem !== 'does not exist') unusable.push(`${file} ${problem}`);
  }
  const searched = `not found on PATH (${path ?? `unset, so ${DEFAULT_PATH}`})`;
  return { found: false, problem: `${name}: ${searched}${unusable.length ? `; ${unusable.join('; ')}` : ''}` };
}

/** null when `file` is a regular file (after symbolic links) that this user may execute. */
function whyNotExecutable(file: string): string | null {
  let stat;
  try {
    stat = statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'does not exist';
    return `cannot be examined (${code ?? (err as Error).message})`;
  }
  if (stat.isDirectory()) return 'is a directory';
  if (!stat.isFile()) return 'is not a regular file';
  try {
    accessSync(file, constants.X_OK);
    return null;
  } catch {
    return `is not executable (mode ${(stat.mode & 0o7777).toString(8).padStart(4, '0')})`;
  }
}
