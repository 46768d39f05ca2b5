// One gateway node of the lab, and the daemon (or other program) it runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, DIST, PATH, SERVICE_PORT, VIP, daemonPath, ip, sh, type CommandResult } from './lab-shell.js';
import type { NetnsLab } from './netns-lab.js';

export interface DaemonOptions {
  priority?: number;
  preempt?: boolean;
  timeoutMs?: number;
  intervalMs?: number;
  dialTimeoutMs?: number;
  /** echo.host_timeout_in_ms; absent: off */
  hostTimeoutMs?: number;
  extra?: string;
  /** Run as this uid and gid with CAP_NET_ADMIN and CAP_NET_RAW only, as the systemd unit does (root otherwise). */
  runAs?: number;
  /** The list form: each entry's YAML lines (without the leading "- "), such as ['ip: 198.18.0.234', 'priority: 150']; replaces ip and priority. */
  addresses?: readonly (readonly string[])[];
  /** More environment for the daemon (NOTIFY_SOCKET, say). */
  env?: Record<string, string>;
  /** Another copy of the CLI (one that runAs can read). */
  cli?: string;
}

/** setpriv's form of the unit's User=, AmbientCapabilities=, CapabilityBoundingSet= and NoNewPrivileges=. */
export function asUserWithNetCaps(uid: number): string[] {
  const caps = '-all,+net_admin,+net_raw';
  return ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', `--inh-caps=${caps}`, `--ambient-caps=${caps}`, `--bounding-set=${caps}`, '--no-new-privs'];
}

export class Daemon {
  output = '';
  exitCode: number | null = null;
  readonly exited: Promise<number | null>;

  constructor(
    readonly node: LabNode,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(this.exitCode);
      }),
    );
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }
}

export class LabNode {
  daemon: Daemon | null = null;
  /** Output of this node's earlier daemons, oldest first, for a restarted node's whole story. */
  readonly pastOutput: string[] = [];
  service: ChildProcess | null = null;

  constructor(
    readonly lab: NetnsLab,
    readonly index: number,
    readonly ns: string,
    readonly ip: string,
    readonly bridgePort: string,
  ) {}

  get name(): string {
    return `node${this.index}`;
  }

  config(opts: DaemonOptions = {}): string {
    return [
      'floating_ip:',
      '  enabled: true',
      ...(opts.addresses ? ['  addresses:', ...opts.addresses.flatMap((e) => e.map((line, i) => `${i === 0 ? '    - ' : '      '}${line}`))] : [`  ip: ${VIP}`]),
      '  netmask: 255.255.255.0',
      '  interface: eth0',
      `  local_ip: ${this.ip}`,
      ...(opts.addresses ? [] : [`  priority: ${opts.priority ?? 100}`]),
      `  forced_by_priority: ${opts.preempt ?? false}`,
      '  echo:',
      `    timeout_in_ms: ${opts.timeoutMs ?? 1000}`,
      `    interval_in_ms: ${opts.intervalMs ?? 100}`,
      `    dial_timeout_in_ms: ${opts.dialTimeoutMs ?? 500}`,
      ...(opts.hostTimeoutMs ? [`    host_timeout_in_ms: ${opts.hostTimeoutMs}`] : []),
      opts.extra ?? '',
    ].join('\n');
  }

  writeConfig(text: string, name = `${this.name}.yml`): string {
    const file = join(this.lab.dir, name);
    writeFileSync(file, text);
    return file;
  }

  /** Starts `floatip run` inside this node's namespace (FLOATIP_LAB_LOG_LEVEL=debug: at debug, for a test that fails once in a while). */
  start(opts: DaemonOptions = {}, logLevel = process.env['FLOATIP_LAB_LOG_LEVEL'] ?? 'info'): Daemon {
    const file = this.writeConfig(this.config(opts));
    if (this.daemon) this.pastOutput.push(this.daemon.output);
    const user = opts.runAs === undefined ? [] : asUserWithNetCaps(opts.runAs);
    const argv = [...user, process.execPath, opts.cli ?? CLI, 'run', '--config', file, '--log-level', logLevel, '--log-format', 'text'];
    const child = spawn('ip', ['netns', 'exec', this.ns, ...argv], {
      env: { ...process.env, PATH: daemonPath(this.lab.dir), ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.daemon = new Daemon(this, child);
    this.lab.children.add(child);
    return this.daemon;
  }

  /** Starts any program inside this node's namespace as its daemon (keepalived, ucarp, for the benchmark). */
  startProcess(argv: string[]): Daemon {
    if (this.daemon) this.pastOutput.push(this.daemon.output);
    const child = spawn('ip', ['netns', 'exec', this.ns, ...argv], { env: { ...process.env, PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.daemon = new Daemon(this, child);
    this.lab.children.add(child);
    return this.daemon;
  }

  /** Every process in this namespace but the echo service, for an implementation whose daemon is a tree. */
  async daemonPids(): Promise<number[]> {
    const r = await sh('ip', ['netns', 'pids', this.ns]);
    return r.stdout.split('\n').filter(Boolean).map(Number).filter((p) => p !== this.service?.pid);
  }

  /** Runs the CLI once in this namespace (check, or a run expected to exit). */
  cli(args: string[], timeoutMs = 20_000): Promise<CommandResult> {
    return sh('ip', ['netns', 'exec', this.ns, 'env', `PATH=${daemonPath(this.lab.dir)}`, process.execPath, CLI, ...args], timeoutMs);
  }

  get allOutput(): string {
    return [...this.pastOutput, this.daemon?.output ?? ''].join('');
  }

  async startService(): Promise<void> {
    const child = spawn('ip', ['netns', 'exec', this.ns, process.execPath, join(DIST, 'scripts', 'lab', 'echo-service.js'), this.name, String(SERVICE_PORT)], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.service = child;
    this.lab.children.add(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once('data', () => resolve());
      child.once('exit', () => reject(new Error(`echo service on ${this.name} exited`)));
    });
  }

  /** GET a path of this node's status endpoint, from inside its namespace. */
  async fetch(path: string, port = 61112): Promise<string> {
    const code = `fetch('http://127.0.0.1:${port}${path}').then(r => r.text()).then(t => process.stdout.write(t), e => { console.error(String(e)); process.exit(1); })`;
    const r = await sh('ip', ['netns', 'exec', this.ns, process.execPath, '-e', code]);
    if (r.code !== 0) throw new Error(`GET ${path} on ${this.name}: ${r.stderr}`);
    return r.stdout;
  }

  /** Runs the lab's wire tool (capture, replay, fuzz) inside this node's namespace. */
  wire(args: string[], timeoutMs = 60_000): Promise<CommandResult> {
    return sh('ip', ['netns', 'exec', this.ns, process.execPath, join(DIST, 'scripts', 'lab', 'wire-tool.js'), ...args], timeoutMs);
  }

  /** Resident memory (kB) and CPU time (ms) of this node's daemon, from /proc. */
  usage(): { rssKb: number; cpuMs: number } {
    const pid = this.daemon?.child.pid;
    if (!pid) throw new Error(`${this.name} has no daemon`);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(stat[11]) + Number(stat[12]);
    return { rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0), cpuMs: (ticks * 1000) / 100 };
  }

  async holdsVip(vip = VIP): Promise<boolean> {
    const out = await ip('-n', this.ns, vip.includes(':') ? '-6' : '-4', '-o', 'addr', 'show', 'dev', 'eth0');
    return out.includes(` ${vip}/`);
  }

  /** Pulls this node's cable: the bridge side goes down, so the node hears nothing and nobody hears it. */
  async unplug(): Promise<void> {
    await ip('-n', this.lab.bridgeNs, 'link', 'set', this.bridgePort, 'down');
  }

  async plug(): Promise<void> {
    await ip('-n', this.lab.bridgeNs, 'link', 'set', this.bridgePort, 'up');
  }
}
