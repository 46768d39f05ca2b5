// The lab's shell: where things are, the commands it runs, and the clean-up of labs an earlier run left behind.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LAB_PREFIX = 'fiplab';
export const SUBNET = '198.18.0';
export const VIP = `${SUBNET}.100`;
export const CLIENT_IP = `${SUBNET}.2`;
/** The lab's IPv6 subnet (a /64 of fd00:198:18::/48): every host has ::<its IPv4 host number> in it. */
export const SUBNET6 = 'fd00:198:18:';
export const SERVICE_PORT = 8080;
/** Where the etcd lab keeps its members' data (tmpfs) and logs: one directory per lab, named with this prefix. */
export const ETCD_LAB_ROOT = '/dev/shm';
export const ETCD_LAB_DIR_PREFIX = 'floatip-etcd-';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/ root of the compiled project (this file lives in dist/scripts/lab). */
export const DIST = resolve(here, '..', '..');
/** The floatip command as installed: the bundle (scripts/bundle.mjs) that package.json's bin names. */
export const CLI = join(DIST, 'bin', 'floatip.mjs');
export const PATH = `${process.env['PATH'] ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`;

/**
 * Which address tool the lab's daemons get: FLOATIP_LAB_TOOLS=ip runs them on a PATH without ifconfig
 * (as on a distribution without net-tools), so address_tool: auto must pick iproute2.
 */
export const LAB_ADDRESS_TOOL: 'ifconfig' | 'ip' = process.env['FLOATIP_LAB_TOOLS'] === 'ip' ? 'ip' : 'ifconfig';

/** PATH for the daemons: everything, or everything but ifconfig (the sbin tools linked into a directory of the lab's). */
export function daemonPath(dir: string): string {
  if (LAB_ADDRESS_TOOL === 'ifconfig') return PATH;
  const shim = join(dir, 'sbin');
  if (!existsSync(shim)) {
    mkdirSync(shim, { recursive: true });
    for (const d of ['/usr/local/sbin', '/usr/sbin', '/sbin']) {
      if (!existsSync(d)) continue;
      for (const tool of readdirSync(d)) {
        if (tool !== 'ifconfig' && !existsSync(join(shim, tool))) symlinkSync(join(d, tool), join(shim, tool));
      }
    }
  }
  return `${shim}:/usr/local/bin:/usr/bin:/bin`;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function sh(file: string, args: string[], timeoutMs = 15_000): Promise<CommandResult> {
  return new Promise((done) => {
    execFile(file, args, { env: { ...process.env, PATH, LANG: 'C' }, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

export async function ip(...args: string[]): Promise<string> {
  const r = await sh('ip', args);
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Removes labs left behind by a run that was killed before it could clean up. */
export async function removeStaleLabs(): Promise<void> {
  const list = await sh('ip', ['netns', 'list']);
  for (const line of list.stdout.split('\n')) {
    const name = line.split(' ')[0];
    if (name?.startsWith(`${LAB_PREFIX}-`)) await deleteNamespace(name);
  }
  // their etcd data too: tmpfs is memory, and each member preallocates a 64 MB WAL segment
  if (!existsSync(ETCD_LAB_ROOT)) return;
  for (const d of readdirSync(ETCD_LAB_ROOT)) {
    if (d.startsWith(ETCD_LAB_DIR_PREFIX)) rmSync(join(ETCD_LAB_ROOT, d), { recursive: true, force: true });
  }
}

/** A new namespace with its loopback up. */
export async function addNamespace(ns: string): Promise<void> {
  await ip('netns', 'add', ns);
  await ip('-n', ns, 'link', 'set', 'lo', 'up');
}

/**
 * A veth from `bridge` (in `bridgeNs`) into `ns` as `dev`, with `addr`/24, up: created inside the bridge namespace with
 * its peer moved straight into the host's, never in the root namespace.
 */
export async function plugInto(bridgeNs: string, bridge: string, port: string, ns: string, dev: string, addr: string): Promise<void> {
  await ip('-n', bridgeNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', dev, 'netns', ns);
  await ip('-n', bridgeNs, 'link', 'set', port, 'master', bridge, 'up');
  await ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev);
  await ip('-n', ns, 'link', 'set', dev, 'up');
}

export async function deleteNamespace(ns: string): Promise<void> {
  const pids = await sh('ip', ['netns', 'pids', ns]);
  for (const pid of pids.stdout.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await sh('ip', ['netns', 'del', ns]);
}
