// A throw-away L2 segment built from network namespaces: a bridge namespace, N gateway nodes and a
// client, all on 198.18.0.0/24 (benchmarking range), nothing in the root namespace touched.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LAB_PREFIX = 'fiplab';
export const SUBNET = '198.18.0';
export const VIP = `${SUBNET}.100`;
export const CLIENT_IP = `${SUBNET}.2`;
export const SERVICE_PORT = 8080;

const here = dirname(fileURLToPath(import.meta.url));
/** dist/ root of the compiled project (this file lives in dist/scripts/lab). */
export const DIST = resolve(here, '..', '..');
export const CLI = join(DIST, 'src', 'interfaces', 'cli', 'main.js');
const PATH = `${process.env['PATH'] ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`;

/**
 * Which address tool the lab's daemons get: FLOATIP_LAB_TOOLS=ip runs them on a PATH without ifconfig
 * (as on a distribution without net-tools), so address_tool: auto must pick iproute2.
 */
export const LAB_ADDRESS_TOOL: 'ifconfig' | 'ip' = process.env['FLOATIP_LAB_TOOLS'] === 'ip' ? 'ip' : 'ifconfig';

/** PATH for the daemons: everything, or everything but ifconfig (the sbin tools linked into a directory of the lab's). */
function daemonPath(dir: string): string {
  if (LAB_ADDRESS_TOOL === 'ifconfig') return PATH;
  const shim = join(dir, 'sbin');
  if (!existsSync(shim)) {
    mkdirSync(shim, { recursive: true });
    for (const d of ['/usr/local/sbin', '/usr/sbin', '/sbin']) {
      if (!existsSync(d)) continue;
      for (const tool of readdirSync(d)) {
        if (tool !== 'ifconfig' && !existsSync(join(shim, tool))) symlinkSync(join(d, tool), join(shim, tool));
      }
    }
  }
  return `${shim}:/usr/local/bin:/usr/bin:/bin`;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function sh(file: string, args: string[], timeoutMs = 15_000): Promise<CommandResult> {
  return new Promise((done) => {
    execFile(file, args, { env: { ...process.env, PATH, LANG: 'C' }, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

async function ip(...args: string[]): Promise<string> {
  const r = await sh('ip', args);
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Removes labs left behind by a run that was killed before it could clean up. */
export async function removeStaleLabs(): Promise<void> {
  const list = await sh('ip', ['netns', 'list']);
  for (const line of list.stdout.split('\n')) {
    const name = line.split(' ')[0];
    if (name?.startsWith(`${LAB_PREFIX}-`)) await deleteNamespace(name);
  }
}

async function deleteNamespace(ns: string): Promise<void> {
  const pids = await sh('ip', ['netns', 'pids', ns]);
  for (const pid of pids.stdout.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await sh('ip', ['netns', 'del', ns]);
}

export interface DaemonOptions {
  priority?: number;
  preempt?: boolean;
  timeoutMs?: number;
  intervalMs?: number;
  dialTimeoutMs?: number;
  extra?: string;
  /** Run as this uid and gid with CAP_NET_ADMIN and CAP_NET_RAW only, as the systemd unit does (root otherwise). */
  runAs?: number;
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
      `  ip: ${VIP}`,
      '  netmask: 255.255.255.0',
      '  interface: eth0',
      `  local_ip: ${this.ip}`,
      `  priority: ${opts.priority ?? 100}`,
      `  forced_by_priority: ${opts.preempt ?? false}`,
      '  echo:',
      `    timeout_in_ms: ${opts.timeoutMs ?? 1000}`,
      `    interval_in_ms: ${opts.intervalMs ?? 100}`,
      `    dial_timeout_in_ms: ${opts.dialTimeoutMs ?? 500}`,
      opts.extra ?? '',
    ].join('\n');
  }

  writeConfig(text: string, name = `${this.name}.yml`): string {
    const file = join(this.lab.dir, name);
    writeFileSync(file, text);
    return file;
  }

  /** Starts `floatip run` inside this node's namespace. */
  start(opts: DaemonOptions = {}, logLevel = 'info'): Daemon {
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
    const out = await ip('-n', this.ns, '-4', '-o', 'addr', 'show', 'dev', 'eth0');
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

export interface ProbeSample {
  t: number;
  who: string | null;
}

export class ClientProbe {
  readonly samples: ProbeSample[] = [];
  private buffer = '';

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => {
      this.buffer += d.toString();
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        try {
          this.samples.push(JSON.parse(line) as ProbeSample);
        } catch {
          // partial line at exit
        }
      }
    });
  }

  get now(): number {
    return this.samples.at(-1)?.t ?? 0;
  }

  /** The longest stretch without an answer from anyone, after `from` (probe time, ms). */
  longestGap(from = 0): number {
    let last: number | null = null;
    let worst = 0;
    for (const s of this.samples) {
      if (s.t < from || s.who === null) continue;
      if (last !== null) worst = Math.max(worst, s.t - last);
      last = s.t;
    }
    return worst;
  }

  lastAnswer(): string | null {
    for (let i = this.samples.length - 1; i >= 0; i--) if (this.samples[i]!.who) return this.samples[i]!.who;
    return null;
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

let labCounter = 0;

export class NetnsLab {
  readonly id: string;
  readonly bridgeNs: string;
  readonly clientNs: string;
  readonly nodes: LabNode[] = [];
  readonly children = new Set<ChildProcess>();
  readonly dir: string;
  private readonly namespaces: string[] = [];

  /** The first two nodes, typed for destructuring in tests. */
  pair(): [LabNode, LabNode] {
    return [this.at(0), this.at(1)];
  }

  /** The first three nodes, typed for destructuring in tests. */
  trio(): [LabNode, LabNode, LabNode] {
    return [this.at(0), this.at(1), this.at(2)];
  }

  private at(index: number): LabNode {
    const node = this.nodes[index];
    if (!node) throw new Error(`this lab has ${this.nodes.length} nodes, not node${index + 1}`);
    return node;
  }

  private constructor(nodeCount: number) {
    this.id = `${LAB_PREFIX}-${process.pid % 10000}${labCounter++}`;
    this.bridgeNs = `${this.id}-br`;
    this.clientNs = `${this.id}-cl`;
    this.dir = mkdtempSync(join(tmpdir(), 'floatip-lab-'));
    // readable by the unprivileged user of the not-root test
    chmodSync(this.dir, 0o755);
    for (let i = 1; i <= nodeCount; i++) {
      this.nodes.push(new LabNode(this, i, `${this.id}-n${i}`, `${SUBNET}.${10 + i}`, `p${i}`));
    }
  }

  static async create(nodeCount: number): Promise<NetnsLab> {
    const lab = new NetnsLab(nodeCount);
    try {
      await lab.build();
    } catch (err) {
      await lab.destroy();
      throw err;
    }
    return lab;
  }

  private async addNamespace(ns: string): Promise<void> {
    await ip('netns', 'add', ns);
    this.namespaces.push(ns);
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
  }

  private async build(): Promise<void> {
    await this.addNamespace(this.bridgeNs);
    await ip('-n', this.bridgeNs, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0', 'forward_delay', '0');
    await ip('-n', this.bridgeNs, 'link', 'set', 'br0', 'up');
    const hosts: [string, string, string][] = [
      ...this.nodes.map((n): [string, string, string] => [n.ns, n.bridgePort, n.ip]),
      [this.clientNs, 'pc', CLIENT_IP],
    ];
    for (const [ns, port, addr] of hosts) {
      await this.addNamespace(ns);
      // created inside the bridge namespace with its peer moved straight into the host's: never in the root namespace
      await ip('-n', this.bridgeNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      await ip('-n', this.bridgeNs, 'link', 'set', port, 'master', 'br0', 'up');
      await ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
      await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    }
  }

  /**
   * The switch stops forwarding the heartbeat group to `node`, as IGMP snooping does once no querier renews the
   * memberships; the node still sends to the group, and everything else still reaches it.
   */
  async deafen(node: LabNode, group = '224.3.2.2'): Promise<void> {
    const bridge = async (...args: string[]): Promise<CommandResult> => sh('bridge', ['-n', this.bridgeNs, ...args]);
    await ip('-n', this.bridgeNs, 'link', 'set', 'br0', 'type', 'bridge', 'mcast_snooping', '1');
    for (const n of this.nodes) {
      if (n === node) continue;
      const r = await bridge('mdb', 'add', 'dev', 'br0', 'port', n.bridgePort, 'grp', group, 'permanent');
      // the bridge may have learned the membership from the node's own IGMP report already: as good (it outlives the test)
      if (r.code !== 0 && !/exists|already joined/i.test(r.stderr)) throw new Error(`bridge mdb add: ${r.stderr.trim()}`);
    }
    // its own membership, if the bridge learned one (absent is fine)
    await bridge('mdb', 'del', 'dev', 'br0', 'port', node.bridgePort, 'grp', group);
    const r = await bridge('link', 'set', 'dev', node.bridgePort, 'mcast_flood', 'off');
    if (r.code !== 0) throw new Error(`bridge link set mcast_flood off: ${r.stderr.trim()}`);
  }

  async holders(vip = VIP): Promise<string[]> {
    const held = await Promise.all(this.nodes.map(async (n) => ((await n.holdsVip(vip)) ? n.name : null)));
    return held.filter((h): h is string => h !== null);
  }

  /** Runs the wire tool inside the client namespace. */
  wire(args: string[], timeoutMs = 60_000): Promise<CommandResult> {
    return sh('ip', ['netns', 'exec', this.clientNs, process.execPath, join(DIST, 'scripts', 'lab', 'wire-tool.js'), ...args], timeoutMs);
  }

  /** Polls until `cond` holds, or fails naming what it waited for and what it saw last. */
  async waitFor<T>(what: string, probe: () => Promise<T>, cond: (v: T) => boolean, timeoutMs: number): Promise<{ value: T; ms: number }> {
    const start = performance.now();
    let value = await probe();
    while (!cond(value)) {
      if (performance.now() - start > timeoutMs) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen ${JSON.stringify(value)}\n${this.logs()}`);
      }
      await new Promise((r) => setTimeout(r, 20));
      value = await probe();
    }
    return { value, ms: Math.round(performance.now() - start) };
  }

  /** Log lines trail the address change they report by a few milliseconds: wait for them. */
  async waitForLog(daemon: Daemon, pattern: RegExp, timeoutMs = 3000): Promise<void> {
    await this.waitFor(`log line ${pattern}`, async () => pattern.test(daemon.output), (ok) => ok, timeoutMs);
  }

  async waitForHolders(expected: string[], timeoutMs: number): Promise<number> {
    const want = [...expected].sort().join(',');
    return (await this.waitFor(`holders [${want}]`, () => this.holders(), (h) => [...h].sort().join(',') === want, timeoutMs)).ms;
  }

  startProbe(durationMs = 120_000): ClientProbe {
    const child = spawn(
      'ip',
      ['netns', 'exec', this.clientNs, process.execPath, join(DIST, 'scripts', 'lab', 'probe-client.js'), VIP, String(SERVICE_PORT), '10', '50', String(durationMs)],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    this.children.add(child);
    return new ClientProbe(child);
  }

  logs(): string {
    return this.nodes
      .filter((n) => n.daemon)
      .map((n) => `--- ${n.name} (${n.ip}) log:\n${n.daemon!.output.trim()}`)
      .join('\n');
  }

  async destroy(): Promise<void> {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const ns of [...this.namespaces].reverse()) await deleteNamespace(ns);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
