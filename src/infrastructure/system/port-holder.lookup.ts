import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Who holds a port, as far as /proc shows: the socket's uid always, its process when its fds are readable. */
export interface PortHolder {
  readonly inode: number;
  readonly uid: number;
  readonly user: string | null;
  readonly pid: number | null;
  readonly command: string | null;
}

export interface ProcReader {
  readFile(path: string): string;
  readdir(path: string): string[];
  readlink(path: string): string;
}

const REAL_PROC: ProcReader = {
  readFile: (p) => readFileSync(p, 'utf8'),
  readdir: (p) => readdirSync(p),
  readlink: (p) => readlinkSync(p),
};

function tryRead<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** Sockets bound to `port` in this network namespace (/proc/self/net/{tcp,udp}{,6}: /proc/net is hidden under ProcSubset=pid), then the processes that hold them. */
export function findPortHolders(protocol: 'tcp' | 'udp', port: number, proc: ProcReader = REAL_PROC): PortHolder[] {
  const sockets = new Map<number, number>();
  for (const file of [`/proc/self/net/${protocol}`, `/proc/self/net/${protocol}6`]) {
    for (const line of tryRead(() => proc.readFile(file), '').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const localPort = parseInt(f[1]!.split(':')[1] ?? '', 16);
      const inode = Number(f[9]);
      // TIME_WAIT (06) holds no process and does not block a listener with SO_REUSEADDR
      if (localPort !== port || !inode || (protocol === 'tcp' && f[3] === '06')) continue;
      sockets.set(inode, Number(f[7]));
    }
  }
  if (sockets.size === 0) return [];
  const users = new Map<number, string>();
  for (const line of tryRead(() => proc.readFile('/etc/passwd'), '').split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid && !users.has(Number(uid))) users.set(Number(uid), name);
  }
  const owners = new Map<number, number>();
  for (const pid of tryRead(() => proc.readdir('/proc'), []).filter((p) => /^\d+$/.test(p))) {
    for (const fd of tryRead(() => proc.readdir(`/proc/${pid}/fd`), [])) {
      const m = /^socket:\[(\d+)\]$/.exec(tryRead(() => proc.readlink(`/proc/${pid}/fd/${fd}`), ''));
      if (m && sockets.has(Number(m[1])) && !owners.has(Number(m[1]))) owners.set(Number(m[1]), Number(pid));
    }
  }
  return [...sockets].map(([inode, uid]) => {
    const pid = owners.get(inode) ?? null;
    return { inode, uid, user: users.get(uid) ?? null, pid, command: pid === null ? null : commandOf(pid, proc) };
  });
}

function commandOf(pid: number, proc: ProcReader): string | null {
  const argv = tryRead(() => proc.readFile(`/proc/${pid}/cmdline`), '').split('\0').filter(Boolean).join(' ');
  const text = argv || tryRead(() => proc.readFile(`/proc/${pid}/comm`).trim(), '');
  if (!text) return null;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** "pid 123 (node -e ...) of uid 65534 (nobody)", joined; empty when nothing was found. */
export function describePortHolders(holders: readonly PortHolder[]): string {
  return holders
    .map((h) => {
      const uid = `uid ${h.uid}${h.user ? ` (${h.user})` : ''}`;
      return h.pid === null ? `a socket of ${uid} (its process is not visible to floatip)` : `pid ${h.pid} (${h.command ?? '?'}) of ${uid}`;
    })
    .join(', ');
}
