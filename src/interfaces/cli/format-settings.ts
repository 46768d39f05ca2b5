import type { ResolvedConfig } from '../../infrastructure/index.js';

export function formatSettings(source: string, resolved: ResolvedConfig): string {
  const s = resolved.settings;
  const auto = (key: string): string => (resolved.detected.includes(key) ? '  (auto-detected)' : '');
  const rows: [string, string][] = [
    ['enabled', String(resolved.enabled)],
    ['ip', s.address.ip.toString() + auto('ip')],
    ['netmask', s.address.netmask.toString() + auto('netmask')],
    ['interface', s.address.interfaceName + auto('interface')],
    ['alias', s.address.aliasName],
    ['address_tool', resolved.addressTool],
    ['local_ip', s.localIp.toString() + auto('local_ip')],
    ['priority', s.priority.isUnranked ? '0 (unranked: loses to every ranked node; ties go to the higher local_ip)' : String(s.priority.value)],
    ['forced_by_priority', String(s.preempt)],
    ['echo.port', String(s.echo.port)],
    ['echo.dial_timeout_in_ms', String(s.echo.dialTimeoutMs)],
    ['echo.timeout_in_ms', String(s.echo.timeoutMs)],
    ['echo.interval_in_ms', String(s.echo.intervalMs) + auto('echo.interval_in_ms')],
    ['broadcast.binding', s.multicast ? `${s.multicast.group.toString()}:${s.multicast.port}` : 'off'],
    ['peers', s.peers.map((p) => p.toString()).join(', ') || '(none; discovered by multicast)'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`${source}: valid`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}
