import { readFileSync, realpathSync } from 'node:fs';
import { PreconditionError } from '../errors.js';
import { SBIN_DIRS, findTool, requireTool as requireOnPath } from './command-runner.js';

export type AddressToolChoice = 'auto' | 'ifconfig' | 'ip';
export const ADDRESS_TOOL_CHOICES: readonly AddressToolChoice[] = ['auto', 'ifconfig', 'ip'];

/** Which program binds the address: net-tools ifconfig, iproute2 ip, or the BSD ifconfig of macOS. */
export type AddressTool = 'ifconfig' | 'ip' | 'macos-ifconfig';
export type PingFlavor = 'iputils' | 'busybox' | 'macos';

/** The platform's tools, resolved once at start; the container builds the adapters from it. */
export interface Toolkit {
  readonly os: 'linux' | 'darwin';
  readonly addressTool: AddressTool;
  /** ifconfig or ip, whichever addressTool names */
  readonly addressCommand: string;
  readonly ping: string;
  readonly pingFlavor: PingFlavor;
  /** null on macOS: the kernel announces a new alias itself */
  readonly arping: string | null;
  readonly xargs: string;
  /** iproute2's ip where installed (optional): it clears unresolved neighbour entries after a partition heals */
  readonly neighbourTool?: string | null;
  /** ndisc6 (the ndisc6 package) where installed: the conflict probe of an IPv6 address. See requireIpv6Tools. */
  readonly ndisc6?: string | null;
  /** na6 (the ipv6toolkit package) where installed, Linux only: an IPv6 address's neighbour advertisements. */
  readonly na6?: string | null;
}

/**
 * What an IPv6 floating address needs that this toolkit lacks, as one sentence; null when nothing. macOS needs no
 * na6: floatip sends no advertisement there (see createPlatformAdapters).
 */
export function ipv6ToolsProblem(toolkit: Toolkit): string | null {
  const missing = [
    ...(toolkit.ndisc6 ? [] : [{ tool: 'ndisc6', pkg: 'ndisc6', role: 'its conflict probe' }]),
    ...(toolkit.os === 'linux' && !toolkit.na6 ? [{ tool: 'na6', pkg: 'ipv6toolkit', role: 'its neighbour advertisements' }] : []),
  ];
  if (missing.length === 0) return null;
  const needs = missing.map((m) => `\`${m.tool}\` for ${m.role}`).join(' and ');
  const pkgs = missing.map((m) => m.pkg).join(' and ');
  return `an IPv6 floating address needs ${needs}, not found on PATH: install the ${pkgs} package${missing.length > 1 ? 's' : ''}`;
}

/** Throws PreconditionError unless the toolkit can serve an IPv6 floating address: call it when one is configured. */
export function requireIpv6Tools(toolkit: Toolkit): void {
  const problem = ipv6ToolsProblem(toolkit);
  if (problem) throw new PreconditionError(problem);
}

const CAP_NET_ADMIN = 12;
const CAP_NET_RAW = 13;

/** Effective capabilities of this process, from /proc (Linux only). */
export function effectiveCapabilities(status = readFileSync('/proc/self/status', 'utf8')): bigint {
  const line = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return line ? BigInt(`0x${line[1]}`) : 0n;
}

/**
 * What the kernel checks, so what floatip checks: uid 0 with its capabilities dropped cannot bind an address,
 * and a user given CAP_NET_ADMIN and CAP_NET_RAW (ambient capabilities) can.
 */
export function hasNetworkPrivileges(caps: bigint): boolean {
  const needed = (1n << BigInt(CAP_NET_ADMIN)) | (1n << BigInt(CAP_NET_RAW));
  return (caps & needed) === needed;
}

/** BusyBox installs ping as a link to its one binary; anything else on Linux is iputils. */
export function detectPingFlavor(os: 'linux' | 'darwin', pingPath: string, resolve = (p: string) => realpathSync(p)): PingFlavor {
  if (os === 'darwin') return 'macos';
  return /busybox/.test(resolve(pingPath)) ? 'busybox' : 'iputils';
}

export interface PreflightOptions {
  readonly platform?: NodeJS.Platform;
  readonly addressTool?: AddressToolChoice;
  readonly path?: string;
  readonly uid?: number;
  readonly capabilities?: bigint;
  /** Where an installed tool that is off PATH may be, for a better message (default: the sbin directories). */
  readonly hintDirs?: readonly string[];
}

export function assertSupportedPlatform(platform: NodeJS.Platform = process.platform): 'linux' | 'darwin' {
  if (platform !== 'linux' && platform !== 'darwin') {
    throw new PreconditionError(`unsupported platform "${platform}": floatip runs on Linux and macOS`);
  }
  return platform;
}

/** Everything the daemon needs before it touches anything: a supported platform, privileges, and its tools. */
export function preflight(options: PreflightOptions = {}): Toolkit {
  const platform = options.platform ?? process.platform;
  const choice = options.addressTool ?? 'auto';
  const path = options.path ?? process.env['PATH'] ?? '';
  const requireTool = (name: string, pkg: string, p: string): string => requireOnPath(name, pkg, p, options.hintDirs ?? SBIN_DIRS);
  assertSupportedPlatform(platform);
  const uid = options.uid ?? process.getuid?.() ?? -1;
  if (platform === 'linux') {
    if (!hasNetworkPrivileges(options.capabilities ?? effectiveCapabilities())) {
      throw new PreconditionError('floatip must run as root or with CAP_NET_ADMIN and CAP_NET_RAW to bind addresses and send ARP');
    }
    let addressTool: 'ifconfig' | 'ip';
    if (choice === 'auto') addressTool = findTool('ifconfig', path) ? 'ifconfig' : 'ip';
    else addressTool = choice;
    const addressCommand =
      addressTool === 'ifconfig'
        ? requireTool('ifconfig', 'the net-tools package (or set address_tool: ip)', path)
        : requireTool('ip', choice === 'auto' ? 'the net-tools package (ifconfig) or the iproute2 package (ip)' : 'the iproute2 package', path);
    const ping = requireTool('ping', 'the iputils-ping package', path);
    return {
      os: 'linux',
      addressTool,
      addressCommand,
      ping,
      pingFlavor: detectPingFlavor('linux', ping),
      arping: requireTool('arping', 'the iputils-arping package', path),
      xargs: requireTool('xargs', 'the findutils package', path),
      neighbourTool: addressTool === 'ip' ? addressCommand : findTool('ip', path),
      // optional here: only an IPv6 address needs them, and the daemon asks requireIpv6Tools then
      ndisc6: findTool('ndisc6', path),
      na6: findTool('na6', path),
    };
  }
  if (uid !== 0) throw new PreconditionError('floatip must run as root on macOS to add interface aliases');
  if (choice === 'ip') throw new PreconditionError('address_tool: ip is for Linux; on macOS floatip uses ifconfig (use auto or ifconfig)');
  return {
    os: 'darwin',
    addressTool: 'macos-ifconfig',
    addressCommand: requireTool('ifconfig', 'the system ifconfig (/sbin)', path),
    ping: requireTool('ping', 'the system ping (/sbin)', path),
    pingFlavor: 'macos',
    arping: null,
    xargs: requireTool('xargs', 'the system xargs (/usr/bin)', path),
    ndisc6: findTool('ndisc6', path),
    na6: null,
  };
}
