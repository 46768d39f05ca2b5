import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

export interface NicAddress {
  readonly ip: string;
  readonly netmask: string;
}

export interface Nic {
  readonly name: string;
  readonly addresses: readonly NicAddress[];
  /** No hardware behind it (veth, bridge, tun...): /sys/devices/virtual/net/<name> exists. */
  readonly virtual: boolean;
  readonly bridge: boolean;
  readonly loopback: boolean;
}

/** What auto-detection reads about the host; a port of its own so the rules can be tested with any host. */
export interface InterfaceInventory {
  list(): Nic[];
}

/** Reads the host's NICs; alias labels (eth0:fip) are folded into their interface. */
export class OsInterfaceInventory implements InterfaceInventory {
  list(): Nic[] {
    const byName = new Map<string, { addresses: NicAddress[]; loopback: boolean }>();
    for (const [label, infos] of Object.entries(networkInterfaces())) {
      const name = label.split(':')[0]!;
      const entry = byName.get(name) ?? { addresses: [], loopback: false };
      for (const info of infos ?? []) {
        if (info.internal) entry.loopback = true;
        if (info.family === 'IPv4') entry.addresses.push({ ip: info.address, netmask: info.netmask });
      }
      byName.set(name, entry);
    }
    return [...byName].map(([name, e]) => ({
      name,
      addresses: e.addresses,
      loopback: e.loopback,
      virtual: existsSync(`/sys/devices/virtual/net/${name}`),
      bridge: existsSync(`/sys/class/net/${name}/bridge`),
    }));
  }
}
