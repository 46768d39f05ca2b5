// A throw-away L2 segment built from network namespaces: a bridge namespace, N gateway nodes and a
// client, all on 198.18.0.0/24 (benchmarking range), nothing in the root namespace touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientProbe } from './client-probe.js';
import { LabNode, type Daemon } from './lab-node.js';
import { CLIENT_IP, DIST, LAB_PREFIX, SERVICE_PORT, SUBNET, SUBNET6, VIP, addNamespace, deleteNamespace, ip, plugInto, sh, type CommandResult } from './lab-shell.js';

export * from './lab-shell.js';
export * from './lab-node.js';
export * from './client-probe.js';

let labCounter = 0;

export class NetnsLab {
  readonly id: string;
  readonly bridgeNs: string;
  readonly clientNs: string;
  readonly nodes: LabNode[] = [];
  readonly children = new Set<ChildProcess>();
  readonly dir: string;
  private readonly namespaces: string[] = [];
  private readonly teardowns: (() => Promise<void>)[] = [];

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
    this.namespaces.push(ns);
    await addNamespace(ns);
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
      await plugInto(this.bridgeNs, 'br0', port, ns, 'eth0', addr);
      // IPv6 beside it, for the floating IPv6 addresses; nodad: usable at once, nobody else has it
      await ip('-n', ns, '-6', 'addr', 'add', `${SUBNET6}:${addr.split('.').pop()}/64`, 'dev', 'eth0', 'nodad');
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

  /** Which node's service answers a TCP connection from the client to `vip` (either family), or null. */
  async ask(vip: string, timeoutMs = 500): Promise<string | null> {
    const code = `const s=require('net').connect({host:${JSON.stringify(vip)},port:${SERVICE_PORT}});let d='';s.setTimeout(${timeoutMs},()=>{s.destroy();process.exit(1)});s.on('data',c=>d+=c);s.on('end',()=>{process.stdout.write(d.trim());process.exit(0)});s.on('error',()=>process.exit(1));`;
    const r = await sh('ip', ['netns', 'exec', this.clientNs, process.execPath, '-e', code], timeoutMs + 3000);
    return r.code === 0 && r.stdout ? r.stdout : null;
  }

  /**
   * Captures ICMPv6 neighbour advertisements on the client's link (tcpdump) until stop() is called: the lines
   * tcpdump printed, verbose (hop limit, flags, target, options), each after its time in seconds since the epoch.
   */
  captureNeighbourAdvertisements(): { stop(): Promise<string> } {
    // ICMPv6 type 136 is a neighbour advertisement (no extension headers here: the type is the first byte after the header)
    const child = spawn('ip', ['netns', 'exec', this.clientNs, 'tcpdump', '-i', 'eth0', '-n', '-l', '-tt', '-vv', '-s', '256', 'icmp6 and ip6[40] == 136'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const ready = new Promise<void>((resolve) => {
      const check = (): void => void (/listening on/.test(out) ? resolve() : setTimeout(check, 20));
      check();
      setTimeout(resolve, 3000);
    });
    return {
      stop: async () => {
        await ready;
        // a moment for the last packet to be printed
        await new Promise((r) => setTimeout(r, 200));
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
        return out;
      },
    };
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

  /** Something built beside the lab (the etcd segment) goes with it, even when its owner never destroyed it. */
  onDestroy(teardown: () => Promise<void>): void {
    this.teardowns.push(teardown);
  }

  async destroy(): Promise<void> {
    for (const t of this.teardowns.splice(0).reverse()) await t().catch((err: unknown) => console.error('lab teardown failed:', err));
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const ns of [...this.namespaces].reverse()) await deleteNamespace(ns);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
