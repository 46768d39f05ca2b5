import { spawnSync } from 'node:child_process';

/**
 * The integration tier needs root and iproute2. On a developer machine without them it is skipped
 * with the reason; where CI=true it must run, so a missing precondition fails loudly instead.
 */
export function integrationSkipReason(): string | false {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('not running as root');
  for (const tool of ['ip', 'ifconfig', 'ping', 'arping']) {
    const r = spawnSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool} || test -x /sbin/${tool}`]);
    if (r.status !== 0) problems.push(`${tool} not installed`);
  }
  if (problems.length === 0) return false;
  const reason = `integration tier needs root and ip/ifconfig/ping/arping: ${problems.join(', ')}`;
  if (process.env['CI'] === 'true') throw new Error(`${reason} (CI=true: the integration tier must run)`);
  return reason;
}
