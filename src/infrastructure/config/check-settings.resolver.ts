import type { CheckSettings, CheckTarget } from '../../application/index.js';
import { HostPort } from '../../domain/index.js';
import type { CheckConfigDto } from './floating-ip.config-dto.js';

const P = 'floating_ip.';
export const CHECK_DEFAULTS = { intervalMs: 2000, timeoutMs: 1000, fall: 3, rise: 2 };

/** A command from the config: a YAML list of arguments, or one string split on spaces (never a shell). */
export function toArgv(v: string | readonly (string | number)[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v.trim().split(/\s+/) : v.map(String);
}

/** A check's name is a metric label and a log field: the URL's user and password stay in its target only. */
function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

export function resolveCheck(c: CheckConfigDto, i: number, problems: string[]): CheckSettings | undefined {
  const key = `${P}checks[${i}]`;
  const kinds = [c.tcp !== undefined, c.http !== undefined, c.command !== undefined].filter(Boolean).length;
  if (kinds !== 1) {
    problems.push(`${key}: must have exactly one of tcp, http or command`);
    return undefined;
  }
  if ((c.weight !== undefined) === (c.fatal === true)) {
    problems.push(`${key}: must have either a weight (lowers the priority while failing) or fatal: true (FAULT while failing), not ${c.weight !== undefined ? 'both' : 'neither'}`);
    return undefined;
  }
  let target: CheckTarget;
  if (c.tcp !== undefined) {
    const endpoint = HostPort.parse(c.tcp);
    if (!endpoint) {
      problems.push(`${key}.tcp: ${JSON.stringify(c.tcp)} is not allowed: the port must be from 1 to 65535`);
      return undefined;
    }
    target = { kind: 'tcp', host: endpoint.host, port: endpoint.port };
  } else if (c.http !== undefined) target = { kind: 'http', url: c.http };
  else target = { kind: 'command', argv: toArgv(c.command)! };
  const timeoutMs = c.timeout_in_ms ?? CHECK_DEFAULTS.timeoutMs;
  const intervalMs = c.interval_in_ms ?? Math.max(CHECK_DEFAULTS.intervalMs, timeoutMs);
  if (timeoutMs > intervalMs) {
    problems.push(`${key}.timeout_in_ms: ${timeoutMs} is not allowed: must be at most interval_in_ms (${intervalMs})`);
  }
  const name = c.name ?? (target.kind === 'tcp' ? `tcp:${c.tcp}` : target.kind === 'http' ? `http:${withoutCredentials(target.url)}` : `command:${target.argv[0]}`);
  return {
    name,
    target,
    intervalMs,
    timeoutMs,
    fall: c.fall ?? CHECK_DEFAULTS.fall,
    rise: c.rise ?? CHECK_DEFAULTS.rise,
    weight: c.weight ?? 0,
    fatal: c.fatal === true,
  };
}

