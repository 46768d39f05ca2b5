import type { AddressUnit, CheckSettings } from '../../application/index.js';
import type { Priority } from '../../domain/index.js';
import type { ResolvedConfig } from '../../infrastructure/index.js';
import { HOOK_KEYS } from './programs.preflight.js';

/** `floatip check`'s table. It shows where the secret comes from, never the secret or anything made from it. */
export function formatSettings(source: string, resolved: ResolvedConfig, verdict = 'valid'): string {
  const s = resolved.settings;
  const auto = (key: string): string => (resolved.detected.includes(key) ? '  (auto-detected)' : '');
  const rows: [string, string][] = [
    ['enabled', String(resolved.enabled)],
    ...(s.units
      ? addressRows(s.units)
      : ([
          ['ip', s.address.ip.toString() + auto('ip')],
          s.address.netmask ? ['netmask', s.address.netmask.toString() + auto('netmask')] : ['prefix_length', String(s.address.prefixLength)],
        ] as [string, string][])),
    ['interface', s.address.interfaceName + auto('interface')],
    ...(s.units ? [] : ([['alias', s.address.aliasName]] as [string, string][])),
    ['address_tool', resolved.addressTool],
    ['local_ip', s.localIp.toString() + auto('local_ip')],
    ...(s.units
      ? []
      : ([
          ['priority', showPriority(s.priority)],
          ['forced_by_priority', String(s.preempt)],
        ] as [string, string][])),
    ['echo.port', String(s.echo.port)],
    ['echo.dial_timeout_in_ms', String(s.echo.dialTimeoutMs)],
    ['echo.timeout_in_ms', String(s.echo.timeoutMs)],
    ['echo.interval_in_ms', String(s.echo.intervalMs) + auto('echo.interval_in_ms')],
    ['echo.host_timeout_in_ms', s.echo.hostTimeoutMs ? `${s.echo.hostTimeoutMs}  (a master whose host answers no ping this long is down)` : 'off'],
    ['broadcast.binding', s.multicast ? `${s.multicast.group.toString()}:${s.multicast.port}` : 'off'],
    ['peers', s.peers.map((p) => p.toString()).join(', ') || '(none; discovered by multicast)'],
    ...authRows(source, resolved.auth),
    ...(s.checks.length ? s.checks.map((c, i): [string, string] => [`checks[${i}]`, describeCheck(c) + (c.addresses ? `; on ${c.addresses.join(', ')}` : '')]) : [['checks', '(none)'] as [string, string]]),
    ['witness', s.witnesses.map((w) => w.toString()).join(', ') || '(none; no self-fencing)'],
    ...hookRows(s.hooks),
    ...quorumRows(s.quorum ?? null),
    ['status.listen', resolved.status ? `${resolved.status.host.includes(':') ? `[${resolved.status.host}]` : resolved.status.host}:${resolved.status.port}` : 'off'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`${source}: ${verdict}`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}

const showPriority = (p: Priority): string => (p.isUnranked ? '0 (unranked: loses to every ranked node; ties go to the higher local_ip)' : String(p.value));

/** The list form: each address with what it resolved to, in the order of the file; a group's entries share a row. */
function addressRows(units: readonly AddressUnit[]): [string, string][] {
  const rows: [string, string][] = [];
  for (const u of units) {
    for (const a of u.addresses) {
      const where = a.family === 4 ? `${a.ip.toString()} netmask ${a.netmask!.toString()} (/${a.prefixLength}) as ${a.aliasName}` : `${a.cidr} (IPv6)`;
      const group = u.addresses.length > 1 || u.name !== a.ip.toString() ? `, group ${u.name}` : '';
      rows.push([rows.length === 0 ? 'addresses' : '', `${where}, priority ${showPriority(u.priority)}, forced_by_priority ${u.preempt}${group}`]);
    }
  }
  return rows;
}

function quorumRows(q: NonNullable<ResolvedConfig['settings']['quorum']> | null): [string, string][] {
  if (!q) return [['quorum', 'off (the heartbeats alone decide who holds the address)']];
  const tls = q.etcd.caFile || q.etcd.certFile ? `, TLS${q.etcd.certFile ? ' with a client certificate' : ''}` : '';
  return [
    ['quorum.etcd.endpoints', q.etcd.endpoints.join(', ') + tls + (q.etcd.username ? `, as user ${q.etcd.username}` : '')],
    ['quorum.lease_ttl_in_ms', `${q.leaseTtlMs}  (a master releases before its lease can end; a host crash waits this long)`],
    ['quorum.key_prefix', q.keyPrefix || '/'],
    ['quorum.on_quorum_loss', q.onLoss === 'release' ? 'release  (no etcd, no address)' : 'keep  (a master cut off from etcd keeps the address: two holders possible)'],
  ];
}

function authRows(source: string, auth: ResolvedConfig['auth']): [string, string][] {
  if (!auth) return [['auth', 'off: heartbeats are not signed']];
  const count = `${auth.secrets.length} secret${auth.secrets.length === 1 ? '' : 's'}`;
  const from = auth.secretFile !== null ? `from ${auth.secretFile}` : `inline in ${source}`;
  return [
    ['auth', `heartbeats signed (HMAC-SHA256), ${count} ${from}${auth.secrets.length > 1 ? ' (the first signs)' : ''}`],
    ['auth.max_clock_skew_in_ms', String(auth.maxClockSkewMs)],
  ];
}

function describeCheck(c: CheckSettings): string {
  const t = c.target;
  const what = t.kind === 'tcp' ? `tcp ${t.host}:${t.port}` : t.kind === 'http' ? `http GET ${t.url}` : `command ${showArgv(t.argv)}`;
  const effect = c.fatal ? 'fatal (FAULT while failing)' : `weight ${c.weight}`;
  return withoutPasswords(`${c.name}: ${what}; every ${c.intervalMs} ms, timeout ${c.timeoutMs} ms, fall ${c.fall}, rise ${c.rise}, ${effect}`);
}

function hookRows(hooks: ResolvedConfig['settings']['hooks']): [string, string][] {
  const rows: [string, string][] = [];
  for (const [field, key] of HOOK_KEYS) {
    const argv = hooks[field];
    if (argv && argv.length > 0) rows.push([`notify.${key}`, `${showArgv(argv)}${key === 'command' ? '  (every state)' : ''}`]);
  }
  if (rows.length === 0) return [['notify', '(no hooks)']];
  return [...rows, ['notify.timeout_in_ms', `${hooks.timeoutMs}  (each hook gets: STATE ADDRESS INTERFACE REASON after its own arguments)`]];
}

/** An argument with a space or a quote in it is shown quoted, so the words can be told apart. */
function showArgv(argv: readonly string[]): string {
  return argv.map((a) => (a === '' || /[\s"'\\]/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

// A password in a check's URL (and so in its default name) is a secret too.
function withoutPasswords(text: string): string {
  return text.replace(/(https?:\/\/[^/@:\s]*):[^/@\s]*@/g, '$1:***@');
}
