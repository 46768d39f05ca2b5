import { readFileSync } from 'node:fs';
import { PreconditionError } from '../errors.js';
import { requireTool } from './command-runner.js';

export interface ToolPaths {
  readonly ifconfig: string;
  readonly ping: string;
  readonly arping: string;
  readonly xargs: string;
}

const CAP_NET_ADMIN = 12;
const CAP_NET_RAW = 13;

/** Effective capabilities of this process, from /proc (Linux only). */
export function effectiveCapabilities(status = readFileSync('/proc/self/status', 'utf8')): bigint {
  const line = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return line ? BigInt(`0x${line[1]}`) : 0n;
}

export function hasNetworkPrivileges(uid: number, caps: bigint): boolean {
  const needed = (1n << BigInt(CAP_NET_ADMIN)) | (1n << BigInt(CAP_NET_RAW));
  return uid === 0 || (caps & needed) === needed;
}

/** Everything the daemon needs before it touches anything: the platform, privileges, and its tools. */
export function preflight(platform: NodeJS.Platform = process.platform): ToolPaths {
  if (platform !== 'linux') {
    throw new PreconditionError(`unsupported platform "${platform}": this version of floatip runs on Linux only`);
  }
  const uid = process.getuid?.() ?? -1;
  if (!hasNetworkPrivileges(uid, effectiveCapabilities())) {
    throw new PreconditionError('floatip must run as root or with CAP_NET_ADMIN and CAP_NET_RAW to bind addresses and send ARP');
  }
  return {
    ifconfig: requireTool('ifconfig', 'net-tools'),
    ping: requireTool('ping', 'iputils-ping'),
    arping: requireTool('arping', 'iputils-arping'),
    xargs: requireTool('xargs', 'findutils'),
  };
}
