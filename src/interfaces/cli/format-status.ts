import type { ServiceStatus } from '../floatip.service.js';

const ago = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '-' : ms < 10_000 ? `${ms} ms ago` : `${Math.round(ms / 1000)} s ago`);

/** `floatip status` as a person reads it: the list form has one row per address (or group). */
export function formatStatus(s: ServiceStatus): string {
  if (s.addresses) return formatRows(s, s.addresses);
  const lines = [
    `node      ${s.id}  ${s.state}  priority ${s.priority}${s.effectivePriority !== s.priority ? ` (effective ${s.effectivePriority})` : ''}${s.preempt ? '  preempt' : ''}`,
    `address   ${s.address}`,
    `holder    ${s.holder ?? 'none known'}  term ${s.term}${s.lease ? `  lease of ${s.lease.holder} expires in ${s.lease.expiresInMs} ms` : ''}`,
  ];
  if (s.lastChange) lines.push(`changed   ${ago(s.lastChange.msAgo)}: ${s.lastChange.from} -> ${s.lastChange.to}: ${s.lastChange.reason}`);
  if (s.witnessLastAnsweredMsAgo !== null) lines.push(`witness   last answered ${ago(s.witnessLastAnsweredMsAgo)}`);
  if (s.quorum) lines.push(`etcd key  ${s.quorum.detail}${s.quorum.fenceInMs !== null ? `; released in ${s.quorum.fenceInMs} ms unless renewed` : ''}`);
  lines.push('', 'peers');
  if (s.peers.length === 0) lines.push('  (none heard)');
  for (const p of s.peers) lines.push(`  ${p.id.padEnd(15)}  ${p.state.padEnd(8)}  priority ${String(p.priority).padEnd(3)}  term ${String(p.term).padEnd(4)}  ${p.alive ? 'alive' : 'LOST '}  seen ${ago(p.lastSeenMsAgo)}`);
  if (s.checks.length > 0) {
    lines.push('', 'checks');
    for (const c of s.checks) lines.push(checkLine(c));
  }
  counterLines(s, lines);
  return lines.join('\n');
}

function formatRows(s: ServiceStatus, rows: NonNullable<ServiceStatus['addresses']>): string {
  const lines = [`node      ${s.id}`, '', 'addresses'];
  for (const r of rows) {
    const priority = `priority ${r.priority}${r.effectivePriority !== r.priority ? ` (effective ${r.effectivePriority})` : ''}${r.preempt ? ' preempt' : ''}`;
    const holder = `holder ${r.holder ?? 'none known'}  term ${r.term}`;
    const changed = r.lastChange ? `  changed ${ago(r.lastChange.msAgo)}` : '';
    const name = r.name === r.address.split('/')[0] ? r.address : `${r.name}: ${r.address}`;
    const key = r.quorum ? `  etcd key ${r.quorum.key}` : '';
    lines.push(`  ${r.state.padEnd(8)}  ${name}  ${priority}  ${holder}${key}${changed}`);
  }
  if (s.witnessLastAnsweredMsAgo !== null) lines.push('', `witness   last answered ${ago(s.witnessLastAnsweredMsAgo)}`);
  lines.push('', 'peers');
  if (s.peers.length === 0) lines.push('  (none heard)');
  for (const p of s.peers) lines.push(`  ${p.id.padEnd(15)}  ${p.alive ? 'alive' : 'LOST '}  seen ${ago(p.lastSeenMsAgo)}`);
  const checks = new Map(rows.flatMap((r) => r.checks.map((c) => [c.name, c] as const)));
  if (checks.size > 0) {
    lines.push('', 'checks');
    for (const c of checks.values()) lines.push(checkLine(c));
  }
  counterLines(s, lines);
  return lines.join('\n');
}

function checkLine(c: ServiceStatus['checks'][number]): string {
  return `  ${c.name.padEnd(30)}  ${c.healthy ? 'ok     ' : 'FAILING'}  ${c.fatal ? 'fatal' : `weight ${c.weight}`}  ${c.detail}`;
}

function counterLines(s: ServiceStatus, lines: string[]): void {
  if (s.counters) {
    const rejected = Object.entries(s.counters.heartbeatsRejected).map(([k, v]) => `${k} ${v}`).join(', ') || '0';
    lines.push('', `heartbeats sent ${s.counters.heartbeatsSent}, received ${s.counters.heartbeatsReceived}, rejected: ${rejected}`);
    lines.push(`transitions ${s.counters.transitions}, takeovers ${s.counters.takeovers}, gratuitous ARPs ${s.counters.gratuitousArps}`);
  }
}
