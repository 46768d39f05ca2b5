import type { FloatingAddress } from '../domain/index.js';
import type { AddressTablePort, AnnouncerPort, ConflictProbePort, HealthProbePort, LoggerPort, ReleaseGuardPort } from '../application/index.js';
import { LocalHealthProbe } from './system/local.health-probe.js';
import { ArpingAnnouncer } from './network/arping.announcer.js';
import type { CommandAnnouncer } from './network/command.announcer.js';
import { DualStackAnnouncer } from './network/dual-stack.announcer.js';
import { DualStackConflictProbe } from './network/dual-stack.conflict-probe.js';
import { IfconfigAddressTable } from './network/ifconfig.address-table.js';
import { Iproute2AddressTable } from './network/iproute2.address-table.js';
import { KernelAnnouncer } from './network/kernel.announcer.js';
import { MacosIfconfigAddressTable } from './network/macos-ifconfig.address-table.js';
import { Na6Announcer } from './network/na6.announcer.js';
import { Ndisc6ConflictProbe } from './network/ndisc6.conflict-probe.js';
import { PingArpingConflictProbe } from './network/ping-arping.conflict-probe.js';
import type { CommandAddressTable } from './network/release-command.js';
import { DeadlineReleaseGuard } from './network/deadline.release-guard.js';
import { XargsReleaseGuard } from './network/xargs.release-guard.js';
import { ipv6ToolsProblem, type Toolkit } from './system/platform.preflight.js';
import { findTool } from './system/command-runner.js';
import type { LinkFacts } from './system/link-facts.lookup.js';
import { PreparedCommands } from './system/prepared-commands.js';

/** How long the takeover's conflict probe waits for anyone answering for the address. */
export const CONFLICT_PROBE_DEADLINE_MS = 150;

const MACOS_NO_NA =
  'macOS: floatip sends no unsolicited neighbour advertisement for an IPv6 address (no na6 there), and the kernel sends none either; neighbours follow when their cache entries go stale';

export interface PlatformAdapters {
  readonly addressTable: AddressTablePort;
  readonly conflictProbe: ConflictProbePort;
  readonly announcer: AnnouncerPort;
  readonly releaseGuard: ReleaseGuardPort;
  /** another guard of the same kind, for a node of several addresses (one each) */
  makeReleaseGuard(): ReleaseGuardPort;
  readonly healthProbe: HealthProbePort;
}

export interface PlatformOptions {
  /** where na6's MAC and router flag are read (tests give their own) */
  readonly link?: LinkFacts;
  /** quorum mode: the release guards also keep the deadline the machine gives them (see DeadlineReleaseGuard) */
  readonly guardDeadlines?: boolean;
}

/**
 * The adapters for this platform's tools, chosen once from the preflight's toolkit. The probe and the announcer
 * serve both families (ARP for IPv4, neighbour discovery for IPv6). Given the addresses, each takeover's bind and
 * first announcement are started ahead of time (see PreparedCommands).
 */
export function createPlatformAdapters(
  toolkit: Toolkit,
  logger: LoggerPort,
  addresses?: FloatingAddress | readonly FloatingAddress[],
  options: PlatformOptions = {},
): PlatformAdapters {
  const { link } = options;
  const shell = findTool('sh', '/bin:/usr/bin');
  const prepared = shell ? new PreparedCommands(shell) : null;
  const run = prepared?.run;
  const ip = toolkit.neighbourTool ?? null;
  const table: CommandAddressTable =
    toolkit.addressTool === 'ip'
      ? new Iproute2AddressTable(toolkit.addressCommand, run)
      : toolkit.addressTool === 'macos-ifconfig'
        ? new MacosIfconfigAddressTable(toolkit.addressCommand, run)
        : new IfconfigAddressTable(toolkit.addressCommand, run, { ip, logger });
  const arping = toolkit.arping ? new ArpingAnnouncer(toolkit.arping, run, ip) : null;
  const na6 = toolkit.os === 'linux' && toolkit.na6 ? new Na6Announcer(toolkit.na6, run, ip, link) : null;
  const whyNoIpv6 = ipv6ToolsProblem(toolkit) ?? undefined;
  const firstPacket = (address: FloatingAddress): CommandAnnouncer | null => (address.family === 6 ? na6 : arping);
  for (const address of addresses === undefined ? [] : 'ip' in addresses ? [addresses] : addresses) {
    if (!prepared) break;
    prepared.prepare(table.bindCommand(address));
    const announcer = firstPacket(address);
    try {
      if (announcer) prepared.prepare(announcer.sendCommand(address));
    } catch (err) {
      // na6's command reads the interface; one not up yet is announced the usual way, at the takeover
      logger.debug(`first announcement of ${address.toString()} not prepared: ${(err as Error).message}`);
    }
  }
  const makeReleaseGuard = releaseGuards(toolkit, table, logger, options.guardDeadlines === true);
  const ipv4Probe = new PingArpingConflictProbe({ file: toolkit.ping, flavor: toolkit.pingFlavor }, toolkit.arping, CONFLICT_PROBE_DEADLINE_MS);
  const ipv6Probe = toolkit.ndisc6 ? new Ndisc6ConflictProbe(toolkit.ndisc6, CONFLICT_PROBE_DEADLINE_MS) : null;
  const ipv6Announcer = toolkit.os === 'darwin' ? new KernelAnnouncer(logger, { level: 'warn', text: MACOS_NO_NA }) : na6;
  return {
    addressTable: table,
    conflictProbe: new DualStackConflictProbe(ipv4Probe, ipv6Probe, whyNoIpv6),
    announcer: new DualStackAnnouncer(arping ?? new KernelAnnouncer(logger), ipv6Announcer, whyNoIpv6),
    releaseGuard: makeReleaseGuard(),
    makeReleaseGuard,
    healthProbe: new LocalHealthProbe({ file: toolkit.ping, flavor: toolkit.pingFlavor }),
  };
}

/**
 * The heartbeat mode's guard is xargs; quorum mode's keeps a deadline too, with bash's read -t (Linux: macOS's bash
 * 3.2 counts whole seconds only). Without bash a stalled daemon is not fenced by its guard: said once, at start.
 */
function releaseGuards(toolkit: Toolkit, table: CommandAddressTable, logger: LoggerPort, deadlines: boolean): () => ReleaseGuardPort {
  const bash = deadlines && toolkit.os === 'linux' ? findTool('bash', '/bin:/usr/bin') : null;
  if (deadlines && !bash) {
    logger.warn(
      `quorum mode without ${toolkit.os === 'linux' ? 'bash' : 'a bash that counts fractions of a second'}: the release guard removes the address when the daemon dies, but not at the lease's deadline if the daemon stands still (SIGSTOP, a blocked event loop)`,
    );
  }
  return bash ? () => new DeadlineReleaseGuard(bash, table, logger) : () => new XargsReleaseGuard(toolkit.xargs, table);
}
