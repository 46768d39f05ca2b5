import type { PingFlavor } from '../system/platform.preflight.js';

/** One echo request, bound to the interface when one is named, with the flags each ping dialect spells its own way. */
export function pingArgs(flavor: PingFlavor, ip: string, iface: string | null, deadlineMs: number): string[] {
  switch (flavor) {
    case 'iputils':
      return ['-n', '-c', '1', '-W', (deadlineMs / 1000).toFixed(3), ...(iface ? ['-I', iface] : []), ip];
    case 'busybox':
      // whole seconds only: the caller cuts it off at its own deadline
      return ['-c', '1', '-W', String(Math.max(1, Math.ceil(deadlineMs / 1000))), ...(iface ? ['-I', iface] : []), ip];
    case 'macos':
      // -W is milliseconds here; -b binds to the interface
      return ['-n', '-c', '1', '-W', String(Math.max(1, Math.round(deadlineMs))), ...(iface ? ['-b', iface] : []), ip];
  }
}

export type PingOutcome = 'reply' | 'no-reply' | 'error';

/** Reads the C-locale summary line the three dialects share: "1 packets transmitted, 1 (packets )?received". */
export function parsePing(stdout: string): PingOutcome {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(stdout);
  if (!m) return 'error';
  return Number(m[2]) > 0 ? 'reply' : 'no-reply';
}
