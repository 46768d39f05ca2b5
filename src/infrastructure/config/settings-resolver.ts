import type { AddressUnit, CheckSettings, NodeSettings, NotifyHooks } from '../../application/index.js';
import { FloatingAddress, HostPort, InvalidValueError, Ipv4Address, MIN_HOST_TIMEOUT_MS, Netmask, Priority, isSameIp, type IpAddress } from '../../domain/index.js';
import { ConfigError } from '../errors.js';
import { resolveQuorum } from './quorum-settings.resolver.js';
import type { Nic } from '../system/interface-inventory.js';
import type { FloatingIpConfigDto } from './floating-ip.config-dto.js';
import { CHECK_DEFAULTS, resolveCheck, toArgv } from './check-settings.resolver.js';
import { attachChecks, resolveAddressList } from './address-list.resolver.js';

export { toArgv } from './check-settings.resolver.js';

export const DEFAULTS = {
  echoPort: 61111,
  dialTimeoutMs: 10_000,
  timeoutMs: 10_000,
  priority: 100,
  binding: '224.3.2.2:7654',
  netmask: '255.255.255.0',
  label: 'fip',
  hostOctet: 234,
  statusListen: '127.0.0.1:61112',
  hookTimeoutMs: 10_000,
  maxClockSkewMs: 30_000,
  check: CHECK_DEFAULTS,
};

export interface AuthSettings {
  /** Inline secrets; secret_file's are read by the loader. The first signs, all verify. */
  readonly secrets: readonly string[];
  readonly secretFile: string | null;
  readonly maxClockSkewMs: number;
}

// Container, VM and tunnel plumbing: never the NIC a gateway's clients reach it on.
// Linux names, then macOS ones (bridge100 is Internet Sharing, utun VPNs, awdl/llw AirDrop, anpi/ap/gif/stf system plumbing).
const PLUMBING =
  /^(lo\d*|docker\d*|veth.*|br-.*|virbr.*|vnet\d*|cni.*|flannel.*|cali.*|vxlan.*|weave.*|kube.*|lxcbr.*|lxdbr.*|tun\d*|tap\d*|wg\d*|tailscale\d*|zt.*|ifb\d*|dummy\d*|bridge\d+|utun\d+|awdl\d+|llw\d+|anpi\d+|ap\d+|gif\d+|stf\d+|vmenet\d+|feth\d+|ipsec\d+|ppp\d+)$/;

export interface ResolvedConfig {
  readonly enabled: boolean;
  /** address_tool: which program binds the address (auto picks per platform at start). */
  readonly addressTool: 'auto' | 'ifconfig' | 'ip';
  readonly settings: NodeSettings;
  /** Keys whose value came from the host rather than the file. */
  readonly detected: readonly string[];
  /** null: heartbeats are not signed. */
  readonly auth: AuthSettings | null;
  /** null: no status endpoint. */
  readonly status: { readonly host: string; readonly port: number } | null;
}

const P = 'floating_ip.';

/** Auto-detection's choice of NIC: real hardware first, then virtual NICs that are not plumbing, never loopback. */
export function chooseInterface(nics: readonly Nic[]): Nic | undefined {
  const usable = nics.filter(
    (n) => !n.loopback && !n.bridge && !PLUMBING.test(n.name) && n.addresses.some((a) => isHostAddress(a.ip)),
  );
  return usable.find((n) => !n.virtual) ?? usable[0];
}

function isHostAddress(ip: string): boolean {
  if (!Ipv4Address.isValid(ip)) return false;
  const a = Ipv4Address.create(ip);
  return !a.isLoopback() && !a.isLinkLocal();
}

/** x.y.z.234 of the subnet; in a subnet too small to hold .234, its highest host address. */
export function defaultFloatingIp(local: Ipv4Address, mask: Netmask): Ipv4Address {
  const network = mask.networkOf(local);
  if (mask.prefixLength <= 24) return Ipv4Address.fromNumber(((local.toNumber() & 0xffffff00) | DEFAULTS.hostOctet) >>> 0);
  const broadcast = (network | (~mask.toNumber() >>> 0)) >>> 0;
  return Ipv4Address.fromNumber(broadcast - 1);
}

export function resolveSettings(dto: FloatingIpConfigDto, nics: readonly Nic[]): ResolvedConfig {
  const problems: string[] = [];
  const detected: string[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof InvalidValueError) problems.push(`${P}${err.message}`);
      else if (err instanceof ConfigError) problems.push(...err.problems);
      else throw err;
      return undefined;
    }
  };
  const names = nics.map((n) => n.name).join(', ') || 'none';

  // interface and local_ip
  let nic: Nic | undefined;
  if (dto.interface !== undefined) {
    nic = nics.find((n) => n.name === dto.interface);
    if (!nic) problems.push(`${P}interface: ${JSON.stringify(dto.interface)} is not allowed: no such interface on this host (it has ${names})`);
  } else if (dto.local_ip !== undefined) {
    nic = nics.find((n) => n.addresses.some((a) => a.ip === dto.local_ip));
    if (nic) detected.push('interface');
  } else {
    nic = chooseInterface(nics);
    if (nic) detected.push('interface');
    else problems.push(`${P}interface: no usable NIC found (this host has ${names}); set interface and local_ip`);
  }

  let localIp: Ipv4Address | undefined;
  let nicMask: string | undefined;
  if (dto.local_ip !== undefined) {
    localIp = attempt(() => Ipv4Address.create(dto.local_ip, `${'local_ip'}`));
    const onNic = nic?.addresses.find((a) => a.ip === dto.local_ip);
    if (localIp && nic && !onNic) {
      problems.push(`${P}local_ip: ${JSON.stringify(dto.local_ip)} is not allowed: it is not an address of ${nic.name} (which has ${nic.addresses.map((a) => a.ip).join(', ') || 'none'})`);
    } else if (localIp && !nic && dto.interface === undefined) {
      problems.push(`${P}local_ip: ${JSON.stringify(dto.local_ip)} is not allowed: no interface of this host has it`);
    }
    nicMask = onNic?.netmask;
  } else if (nic) {
    // Skip a leftover floating address on the NIC, unless it is the NIC's only one (then say ip clashes).
    const own = nic.addresses.find((a) => isHostAddress(a.ip) && a.ip !== dto.ip) ?? nic.addresses.find((a) => isHostAddress(a.ip));
    if (own) {
      localIp = Ipv4Address.create(own.ip);
      nicMask = own.netmask;
      detected.push('local_ip');
    } else {
      problems.push(`${P}local_ip: ${nic.name} has no IPv4 address to use as this node's identity; set local_ip`);
    }
  }

  let netmask: Netmask | undefined;
  if (dto.netmask !== undefined) netmask = attempt(() => Netmask.create(dto.netmask, 'netmask'));
  else {
    netmask = attempt(() => Netmask.create(nicMask ?? DEFAULTS.netmask, 'netmask'));
    detected.push('netmask');
  }

  let ip: Ipv4Address | undefined;
  if (dto.ip !== undefined) ip = attempt(() => Ipv4Address.create(dto.ip, 'ip'));
  else if (localIp && netmask && dto.addresses === undefined) {
    ip = defaultFloatingIp(localIp, netmask);
    detected.push('ip');
  }
  if (ip && localIp && netmask) {
    const shown = JSON.stringify(ip.toString());
    if (ip.equals(localIp)) problems.push(`${P}ip: ${shown} is not allowed: it is this node's own local_ip; choose a free address`);
    else if (!netmask.contains(localIp, ip)) {
      problems.push(`${P}ip: ${shown} is not allowed: it must be in local_ip ${localIp.toString()}'s subnet /${netmask.prefixLength}`);
    }
    const holder = nics.find((n) => n.addresses.some((a) => a.ip === ip!.toString()));
    // On our own NIC it is a leftover of an earlier run, which the daemon cleans up; elsewhere it is taken.
    if (holder && holder !== nic) problems.push(`${P}ip: ${shown} is not allowed: ${holder.name} of this host already has it`);
  }

  // INFINI: "if <= 0, will random set current node's priority"; floatip's unranked is deterministic instead
  const priority = attempt(() => (dto.priority !== undefined && dto.priority <= 0 ? Priority.unranked() : Priority.create(dto.priority ?? DEFAULTS.priority, 'priority')));
  const echo = {
    port: dto.echo?.port ?? DEFAULTS.echoPort,
    dialTimeoutMs: dto.echo?.dial_timeout_in_ms ?? DEFAULTS.dialTimeoutMs,
    timeoutMs: dto.echo?.timeout_in_ms ?? DEFAULTS.timeoutMs,
    intervalMs: 0,
    hostTimeoutMs: dto.echo?.host_timeout_in_ms ? dto.echo.host_timeout_in_ms : null,
  };
  if (dto.echo?.interval_in_ms !== undefined) echo.intervalMs = dto.echo.interval_in_ms;
  else {
    echo.intervalMs = Math.max(10, Math.min(1000, Math.floor(echo.timeoutMs / 10)));
    detected.push('echo.interval_in_ms');
  }
  if (echo.intervalMs * 3 > echo.timeoutMs) {
    problems.push(
      `${P}echo.interval_in_ms: ${echo.intervalMs} is not allowed: must be at most a third of echo.timeout_in_ms (${echo.timeoutMs}), so a master survives two lost heartbeats`,
    );
  }
  const hostTimeout = echo.hostTimeoutMs;
  if (hostTimeout !== null && (hostTimeout < MIN_HOST_TIMEOUT_MS || hostTimeout >= echo.timeoutMs)) {
    problems.push(
      `${P}echo.host_timeout_in_ms: ${hostTimeout} is not allowed: must be at least ${MIN_HOST_TIMEOUT_MS} (several probes must fit in it) and less than echo.timeout_in_ms (${echo.timeoutMs}), or 0 for off`,
    );
  }

  const multicast = attempt(() => parseBinding(dto.broadcast?.binding ?? DEFAULTS.binding));
  const peers: Ipv4Address[] = [];
  const peerKeys: [string, string][] = [...(dto.peers ?? []).map((p, i): [string, string] => [`peers[${i}]`, p]), ...(dto.peer_ip !== undefined ? [['peer_ip', dto.peer_ip] as [string, string]] : [])];
  for (const [key, p] of peerKeys) {
    const peer = attempt(() => Ipv4Address.create(p, key));
    if (!peer) continue;
    if (localIp && peer.equals(localIp)) problems.push(`${P}${key}: ${JSON.stringify(p)} is not allowed: it is this node's own local_ip`);
    else if (!peers.some((q) => q.equals(peer))) peers.push(peer);
  }

  const checks: CheckSettings[] = [];
  /** each resolved check's place in the file, for its `addresses` */
  const checkKeys: number[] = [];
  (dto.checks ?? []).forEach((c, i) => {
    const check = resolveCheck(c, i, problems);
    if (!check) return;
    if (checks.some((k) => k.name === check.name)) problems.push(`${P}checks[${i}].name: ${JSON.stringify(check.name)} is not allowed: another check has that name`);
    else {
      checks.push(check);
      checkKeys.push(i);
    }
  });
  const witnesses: Ipv4Address[] = [];
  (dto.witness ?? []).forEach((w, i) => {
    const a = attempt(() => Ipv4Address.create(w, `witness[${i}]`));
    if (a && !witnesses.some((x) => x.equals(a))) witnesses.push(a);
  });
  const hooks: NotifyHooks = {
    ...(dto.notify?.on_master !== undefined ? { onMaster: toArgv(dto.notify.on_master)! } : {}),
    ...(dto.notify?.on_backup !== undefined ? { onBackup: toArgv(dto.notify.on_backup)! } : {}),
    ...(dto.notify?.on_fault !== undefined ? { onFault: toArgv(dto.notify.on_fault)! } : {}),
    ...(dto.notify?.on_stop !== undefined ? { onStop: toArgv(dto.notify.on_stop)! } : {}),
    ...(dto.notify?.command !== undefined ? { command: toArgv(dto.notify.command)! } : {}),
    timeoutMs: dto.notify?.timeout_in_ms ?? DEFAULTS.hookTimeoutMs,
  };
  let auth: AuthSettings | null = null;
  if (dto.auth) {
    const secrets = dto.auth.secret === undefined ? [] : typeof dto.auth.secret === 'string' ? [dto.auth.secret] : dto.auth.secret;
    if (secrets.length > 0 && dto.auth.secret_file !== undefined) problems.push(`${P}auth: set secret or secret_file, not both`);
    else if (secrets.length === 0 && dto.auth.secret_file === undefined) problems.push(`${P}auth: needs secret or secret_file`);
    auth = { secrets, secretFile: dto.auth.secret_file ?? null, maxClockSkewMs: dto.auth.max_clock_skew_in_ms ?? DEFAULTS.maxClockSkewMs };
  }
  let status: { host: string; port: number } | null = null;
  const listen = dto.status?.listen ?? DEFAULTS.statusListen;
  if (listen !== 'off') {
    const endpoint = HostPort.parse(listen);
    if (!endpoint) problems.push(`${P}status.listen: ${JSON.stringify(listen)} is not allowed: the port must be from 1 to 65535`);
    else status = { host: endpoint.host, port: endpoint.port };
  }

  const preempt = dto.forced_by_priority ?? false;
  let units: AddressUnit[] | undefined;
  let attached = checks;
  if (dto.addresses !== undefined) {
    if (dto.ip !== undefined) problems.push(`${P}ip: ${JSON.stringify(dto.ip)} is not allowed beside addresses: list every address under addresses`);
    if (nic && localIp && netmask && priority) {
      const heldBy = (a: IpAddress): string | undefined => nics.find((n) => n.addresses.some((x) => isSameIp(a, x.ip)))?.name;
      const section = { interfaceName: nic.name, localIp, netmask, label: dto.label ?? DEFAULTS.label, priority, preempt, prefixLength: dto.prefix_length, heldBy };
      units = resolveAddressList(dto.addresses, section, problems);
      attached = attachChecks(checks, checkKeys.map((i) => ({ index: i, names: dto.checks![i]!.addresses })), units, problems);
    }
  } else {
    if (dto.checks?.some((c) => c.addresses !== undefined)) problems.push(`${P}checks: addresses applies to the list form (floating_ip.addresses) only`);
    if (dto.prefix_length !== undefined) problems.push(`${P}prefix_length: ${dto.prefix_length} is not allowed here: it is the list form's default for IPv6 entries; give an IPv4 address netmask`);
  }
  const first = units?.[0];
  const address = first
    ? first.addresses[0]
    : ip && netmask && nic
      ? attempt(() => FloatingAddress.create({ ip, netmask, interfaceName: nic.name, label: dto.label ?? DEFAULTS.label }))
      : undefined;

  const quorum = resolveQuorum(dto.quorum, problems);
  if (problems.length > 0 || !address || !localIp || !priority || !multicast) throw new ConfigError(problems.length ? problems : ['incomplete configuration']);
  const common = { localIp, echo, multicast, peers, checks: attached, witnesses, hooks, ...(quorum ? { quorum } : {}) };
  return {
    enabled: dto.enabled ?? false,
    addressTool: dto.address_tool ?? 'auto',
    detected,
    auth,
    status,
    settings: first
      ? { ...common, address: address, priority: first.priority, preempt: first.preempt, units, peerSubnet: netmask! }
      : { ...common, address, priority, preempt },
  };
}

function parseBinding(binding: string): { group: Ipv4Address; port: number } {
  const allowed = 'must be a multicast group (224.0.0.0 to 239.255.255.255) and a port from 1 to 65535, such as 224.3.2.2:7654';
  const endpoint = HostPort.parse(binding);
  if (!endpoint || !Ipv4Address.isValid(endpoint.host)) throw new InvalidValueError('broadcast.binding', binding, allowed);
  const group = Ipv4Address.create(endpoint.host);
  if (!group.isMulticast()) throw new InvalidValueError('broadcast.binding', binding, allowed);
  return { group, port: endpoint.port };
}
