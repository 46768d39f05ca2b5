import { spawn } from 'node:child_process';
import type { LoggerPort, ServiceManagerPort } from '../../application/index.js';
import { C_LOCALE_ENV } from './command-runner.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What systemd asked for, from the environment it started this process with. */
export interface NotifySettings {
  readonly socket: string | null;
  /** Milliseconds between watchdog pings, or null when systemd watches no deadline for this process. */
  readonly watchdogEveryMs: number | null;
}

export function notifySettings(env: Env, pid = process.pid): NotifySettings {
  const socket = env['NOTIFY_SOCKET'] || null;
  const usec = Number(env['WATCHDOG_USEC']);
  const forPid = env['WATCHDOG_PID'];
  // systemd's own advice: ping at half the deadline. WATCHDOG_PID names the process meant (not a child).
  const watched = socket !== null && Number.isSafeInteger(usec) && usec > 0 && (!forPid || Number(forPid) === pid);
  return { socket, watchdogEveryMs: watched ? Math.max(1, Math.floor(usec / 2000)) : null };
}

/**
 * systemd's notify protocol through `systemd-notify`, which Node cannot speak itself (no datagram Unix sockets).
 * The unit sets NotifyAccess=all, as the sender is a child. systemd-notify waits (its barrier) until systemd has
 * read the message, so it is never dropped as coming from a process that is already gone. One message at a time,
 * in order; a status superseded while waiting is skipped. Without NOTIFY_SOCKET every call does nothing.
 */
export class SystemdNotifyServiceManager implements ServiceManagerPort {
  private readonly settings: NotifySettings;
  private readonly queue: string[][] = [];
  private sending = false;
  private watchdog: NodeJS.Timeout | null = null;
  private failures = 0;

  constructor(
    private readonly logger: LoggerPort,
    env: Env = process.env,
    private readonly program = 'systemd-notify',
  ) {
    this.settings = notifySettings(env);
  }

  get active(): boolean {
    return this.settings.socket !== null;
  }

  ready(status: string): void {
    this.send(['READY=1', `STATUS=${flat(status)}`]);
  }
  status(status: string): void {
    this.send([`STATUS=${flat(status)}`]);
  }
  stopping(status: string): void {
    this.send(['STOPPING=1', `STATUS=${flat(status)}`]);
  }

  /**
   * Pings the watchdog from the event loop: a loop blocked for systemd's whole WatchdogSec sends nothing, and
   * systemd kills and restarts the daemon. Returns the period, or null when systemd set no watchdog.
   */
  startWatchdog(): number | null {
    const every = this.settings.watchdogEveryMs;
    if (every === null || this.watchdog) return every;
    this.watchdog = setInterval(() => {
      // a ping still queued behind a slow message is as good as a new one
      if (!this.queue.some((m) => m[0] === 'WATCHDOG=1')) this.send(['WATCHDOG=1']);
    }, every);
    this.watchdog.unref();
    this.send(['WATCHDOG=1']);
    return every;
  }

  /** Resolves once every queued message was taken by systemd (or failed), or after `capMs`: before an exit. */
  async flush(capMs = 3000): Promise<void> {
    const end = Date.now() + capMs;
    while ((this.sending || this.queue.length > 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  }

  stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  private send(assignments: string[]): void {
    if (!this.active) return;
    const isStatusOnly = assignments.length === 1 && assignments[0]!.startsWith('STATUS=');
    if (isStatusOnly) {
      const stale = this.queue.findIndex((m) => m.length === 1 && m[0]!.startsWith('STATUS='));
      if (stale >= 0) this.queue.splice(stale, 1);
    }
    this.queue.push(assignments);
    this.next();
  }

  private next(): void {
    if (this.sending) return;
    const message = this.queue.shift();
    if (!message) return;
    this.sending = true;
    let finished = false;
    const done = (problem: string | null): void => {
      if (finished) return; // a child that failed to start reports 'error' and may also report 'exit'
      finished = true;
      this.sending = false;
      if (problem) this.failed(problem);
      this.next();
    };
    try {
      const child = spawn(this.program, message, {
        env: { ...C_LOCALE_ENV, NOTIFY_SOCKET: this.settings.socket! },
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 10_000,
        killSignal: 'SIGKILL',
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-300)));
      child.once('error', (err) => done(`${this.program} could not start: ${err.message}`));
      child.once('exit', (code, signal) => {
        if (code === 0) done(null);
        else done(`${this.program} ${message[0]} failed (${signal ?? `exit ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
      });
    } catch (err) {
      done(`${this.program} could not start: ${(err as Error).message}`);
    }
  }

  /** The first failure, then every 100th: a missing systemd-notify must not fill the journal every 10 s. */
  private failed(problem: string): void {
    if (this.failures++ % 100 === 0) this.logger.warn(`service manager notification: ${problem}${this.failures > 1 ? ` (${this.failures} failures so far)` : ''}`);
  }
}

/** One line: a newline would start another assignment (READY=1, say) inside a status text. */
function flat(text: string): string {
  let out = '';
  for (const ch of text) out += ch < ' ' || ch === '\u007f' ? ' ' : ch;
  return out;
}
