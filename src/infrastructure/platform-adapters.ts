import type { FloatingAddress } from '../domain/index.js';
import type { AddressTablePort, AnnouncerPort, ConflictProbePort, HealthProbePort, LoggerPort, ReleaseGuardPort } from '../application/index.js';
import { LocalHealthProbe } from './system/local.health-probe.js';
import { ArpingAnnouncer } from './network/arping.announcer.js';
import { IfconfigAddressTable } from './network/ifconfig.address-table.js';
import { Iproute2AddressTable } from './network/iproute2.address-table.js';
import { KernelAnnouncer } from './network/kernel.announcer.js';
import { MacosIfconfigAddressTable } from './network/macos-ifconfig.address-table.js';
import { PingArpingConflictProbe } from './network/ping-arping.conflict-probe.js';
import type { CommandAddressTable } from './network/release-command.js';
import { XargsReleaseGuard } from './network/xargs.release-guard.js';
import type { Toolkit } from './system/platform.preflight.js';
import { findTool } from './system/command-runner.js';
import { PreparedCommands } from './system/prepared-commands.js';

/** How long the takeover's conflict probe waits for anyone answering for the address. */
export const CONFLICT_PROBE_DEADLINE_MS = 150;

export interface PlatformAdapters {
  readonly addressTable: AddressTablePort;
  readonly conflictProbe: ConflictProbePort;
  readonly announcer: AnnouncerPort;
  readonly releaseGuard: ReleaseGuardPort;
  readonly healthProbe: HealthProbePort;
}

/**
 * The adapters for this platform's tools, chosen once from the preflight's toolkit. Given the address, the
 * takeover's bind and first gratuitous ARP are started ahead of time (see PreparedCommands).
 */
export function createPlatformAdapters(toolkit: Toolkit, logger: LoggerPort, address?: FloatingAddress): PlatformAdapters {
  const shell = findTool('sh', '/bin:/usr/bin');
  const prepared = shell ? new PreparedCommands(shell) : null;
  const run = prepared?.run;
  const table: CommandAddressTable =
    toolkit.addressTool === 'ip'
      ? new Iproute2AddressTable(toolkit.addressCommand, run)
      : toolkit.addressTool === 'macos-ifconfig'
        ? new MacosIfconfigAddressTable(toolkit.addressCommand, run)
        : new IfconfigAddressTable(toolkit.addressCommand, run);
  const arping = toolkit.arping ? new ArpingAnnouncer(toolkit.arping, run, toolkit.neighbourTool ?? null) : null;
  if (prepared && address) {
    prepared.prepare(table.bindCommand(address));
    if (arping) prepared.prepare(arping.sendCommand(address));
  }
  return {
    addressTable: table,
    conflictProbe: new PingArpingConflictProbe({ file: toolkit.ping, flavor: toolkit.pingFlavor }, toolkit.arping, CONFLICT_PROBE_DEADLINE_MS),
    announcer: arping ?? new KernelAnnouncer(logger),
    releaseGuard: new XargsReleaseGuard(toolkit.xargs, table),
    healthProbe: new LocalHealthProbe({ file: toolkit.ping, flavor: toolkit.pingFlavor }),
  };
}
