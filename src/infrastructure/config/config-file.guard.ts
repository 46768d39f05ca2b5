import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { ConfigError } from '../errors.js';

const octal = (mode: number): string => mode.toString(8).padStart(4, '0');

function ownerProblem(st: Stats, file: string, what: string, uid: number): string | null {
  if (st.uid === 0 || st.uid === uid) return null;
  return `${what} ${file} belongs to uid ${st.uid}, not to root or to the user floatip runs as (uid ${uid}): run chown root ${file}`;
}

/**
 * The config file, read through one handle and checked on it: floatip runs its hooks and checks as root, so a
 * file that another user may write (or that belongs to one) is refused.
 */
export function readConfigFile(file: string, uid: number): { text: string; mode: number } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new ConfigError([`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ConfigError([`config file ${file} is not a regular file`]);
    const mode = st.mode & 0o7777;
    const problems: string[] = [];
    const owner = ownerProblem(st, file, 'config file', uid);
    if (owner) problems.push(owner);
    if ((mode & 0o022) !== 0) {
      const who = (mode & 0o022) === 0o022 ? 'its group and every user' : (mode & 0o002) !== 0 ? 'every user' : 'its group';
      problems.push(`config file ${file}: ${who} can write it (mode ${octal(mode)}), and it runs hooks and checks as root: run chmod go-w ${file}`);
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return { text: readFileSync(fd, 'utf8'), mode };
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError([`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens a file for secrets once (no symbolic link followed, no FIFO waited on) and checks the open handle, so
 * that what was checked is what is read. The caller reads and closes the descriptor.
 */
export function openPrivateFile(file: string, key: string, uid: number): number {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') {
      throw new ConfigError([`${key}: ${file} is a symbolic link; floatip does not follow links to secrets: set secret_file to the file itself`]);
    }
    throw new ConfigError([`${key}: cannot read ${file}: ${code ?? (err as Error).message}`]);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ConfigError([`${key}: ${file} is not a regular file`]);
    const mode = st.mode & 0o7777;
    const owner = ownerProblem(st, file, `${key}:`, uid);
    if (owner) throw new ConfigError([owner]);
    if ((mode & 0o077) !== 0) {
      const access = (mode & 0o044) !== 0 ? ((mode & 0o022) !== 0 ? 'readable and writable' : 'readable') : 'writable';
      throw new ConfigError([`${key}: ${file} is ${access} by others (mode ${octal(mode)}): run chmod 600 ${file}`]);
    }
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
