import { spawn, type ChildProcess } from 'node:child_process';
import { LogThrottle, type ClockPort, type HostProbePort, type LoggerPort } from '../../application/index.js';
import type { Ipv4Address } from '../../domain/index.js';
import { C_LOCALE_ENV, holdProcess } from '../system/command-runner.js';

/** A reply line of a running ping: "64 bytes from 198.18.0.2: icmp_seq=3 ttl=64 time=0.04 ms" (not "From … Unreachable"). */
const REPLY = /(?:^|\n)\d+ bytes from /;
/** What is kept of a chunk for a line split across two reads. */
const TAIL_CHARS = 64;
/** A ping that exited is started again after this long, while its host is still watched. */
const RESTART_MS = 1000;
const LOG_LINES_PER_MINUTE = 6;

/**
 * ping runs in the background of a shell that waits on its stdin, which only this daemon holds: when the daemon
 * dies (kill -9 too) the input ends and the shell kills ping, so no probe outlives its daemon. When ping exits on
 * its own, the shell exits with its status.
 */
const SUPERVISOR = [
  'exec 3<&0',
  '"$3" -n -i "$1" "$2" </dev/null &',
  'p=$!',
  '{ read -r _ <&3; kill "$p" 2>/dev/null; } &',
  'r=$!',
  'wait "$p"',
  's=$?',
  'kill "$r" 2>/dev/null',
  'exit "$s"',
].join('\n');

interface Watch {
  refs: number;
  readonly intervalMs: number;
  child: ChildProcess | null;
  /** the last reply of the ping running now; null after a restart until it answers */
  answeredAt: number | null;
  tail: string;
  restart: ReturnType<ClockPort['setTimeout']> | null;
}

/**
 * echo.host_timeout_in_ms: one long-running `ping -i` per watched host, read line by line. A reply forged on the
 * segment can only make a dead host look alive, which costs the full timeout, never a takeover.
 */
export class PingHostProbe implements HostProbePort {
  private readonly watches = new Map<string, Watch>();
  private readonly throttle: LogThrottle;

  constructor(
    /** looked up at the first watch: a node that never watches needs no ping */
    private readonly ping: () => string,
    private readonly shell: string,
    private readonly clock: ClockPort,
    private readonly logger: LoggerPort,
  ) {
    this.throttle = new LogThrottle(LOG_LINES_PER_MINUTE, () => clock.now());
  }

  watch(host: Ipv4Address, intervalMs: number): void {
    const key = host.toString();
    const known = this.watches.get(key);
    if (known) {
      known.refs++;
      return;
    }
    const w: Watch = { refs: 1, intervalMs, child: null, answeredAt: null, tail: '', restart: null };
    this.watches.set(key, w);
    this.start(key, w);
  }

  unwatch(host: Ipv4Address): void {
    const key = host.toString();
    const w = this.watches.get(key);
    if (!w || --w.refs > 0) return;
    this.watches.delete(key);
    if (w.restart) this.clock.clearTimeout(w.restart);
    const child = w.child;
    w.child = null;
    // the end of its input makes the shell kill ping
    child?.stdin?.end();
  }

  answeredAt(host: Ipv4Address): number | null {
    return this.watches.get(host.toString())?.answeredAt ?? null;
  }

  private start(key: string, w: Watch): void {
    w.restart = null;
    w.answeredAt = null;
    w.tail = '';
    const seconds = (w.intervalMs / 1000).toFixed(3);
    let child: ChildProcess;
    try {
      child = spawn(this.shell, ['-c', SUPERVISOR, 'sh', seconds, key, this.ping()], { env: C_LOCALE_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      this.log(`host probe of ${key} could not start: ${(err as Error).message}; host_timeout_in_ms does not apply to it`);
      return;
    }
    w.child = child;
    holdProcess(child, false);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      const text = w.tail + chunk;
      w.tail = text.slice(-TAIL_CHARS);
      if (REPLY.test(text)) {
        w.answeredAt = this.clock.now();
        // a reply seen once is not seen again in the tail
        w.tail = '';
      }
    });
    let errors = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      if (errors.length < 512) errors += chunk;
    });
    child.stdin!.on('error', () => undefined);
    child.on('error', (err) => this.log(`host probe of ${key} could not start: ${err.message}`));
    child.on('exit', (code, signal) => {
      if (w.child !== child) return;
      w.child = null;
      w.answeredAt = null;
      const why = errors.trim().split('\n')[0] ?? '';
      this.log(`host probe of ${key} (ping) exited (${signal ?? `code ${code}`})${why ? `: ${why}` : ''}; host_timeout_in_ms does not apply to ${key} until it answers again`);
      if (this.watches.get(key) === w) w.restart = this.clock.setTimeout(() => this.start(key, w), RESTART_MS);
    });
  }

  private log(line: string): void {
    this.throttle.write((l) => this.logger.warn(l), line, 'host probe lines');
  }
}
