// A real etcd v3 cluster beside a NetnsLab, for quorum mode: a second segment (198.19.0.0/24) on its own bridge
// namespace, one namespace per member, and an eth1 on it for every gateway node. The root namespace cannot reach
// 198.19, so every probe runs inside a namespace (ip netns exec).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ETCD_LAB_DIR_PREFIX, ETCD_LAB_ROOT, PATH, addNamespace, deleteNamespace, ip, plugInto, sh, type CommandResult } from './lab-shell.js';
import type { LabNode } from './lab-node.js';
import type { NetnsLab } from './netns-lab.js';

export const ETCD_SUBNET = '198.19.0';
const ETCD = '/usr/bin/etcd';
const ETCDCTL = '/usr/bin/etcdctl';

/** members 3; heartbeatMs 100 and electionMs 1000 (etcd wants ≥ 5 heartbeats); create() waits healthyWithinMs, 20 s. */
export interface EtcdLabOptions {
  members?: number;
  heartbeatMs?: number;
  electionMs?: number;
  healthyWithinMs?: number;
}

interface Member {
  readonly index: number;
  readonly name: string;
  readonly ns: string;
  readonly ip: string;
  readonly url: string;
  readonly port: string;
  readonly dataDir: string;
  readonly logFile: string;
  child: ChildProcess | null;
  exited: Promise<void>;
}

export type MemberStatus = { index: number; memberId: string; leaderId: string; raftTerm: number };

/** A gateway node's address on the etcd segment: 100 + its 198.18 host number (198.18.0.11 → 198.19.0.111), clear of the members' .11…. */
export function etcdAddressOf(node: LabNode): string {
  return `${ETCD_SUBNET}.${100 + Number(node.ip.split('.').pop())}`;
}

/** A gateway node's port on br1. */
const gatewayPort = (node: LabNode): string => `g${node.index}`;

/** Members are numbered from 1, as the lab's nodes are: member i is namespace `<lab>-e<i>` at 198.19.0.(10+i). */
export class EtcdLab {
  readonly bridgeNs: string;
  readonly dir: string;
  readonly members: Member[] = [];
  /** From the first member's start to a healthy cluster, in create(). */
  healthyAfterMs = 0;
  private readonly namespaces: string[] = [];
  private token = `floatip-${randomBytes(6).toString('hex')}`;
  private readonly heartbeatMs: number;
  private readonly electionMs: number;

  private constructor(
    readonly lab: NetnsLab,
    opts: EtcdLabOptions,
  ) {
    const count = opts.members ?? 3;
    this.heartbeatMs = opts.heartbeatMs ?? 100;
    this.electionMs = opts.electionMs ?? 1000;
    if (count < 1 || count > 89) throw new Error(`members: ${count} is not in 1..89 (198.19.0.11 up to .99)`);
    if (this.electionMs < 5 * this.heartbeatMs) throw new Error(`etcd wants electionMs ≥ 5 × heartbeatMs, not ${this.electionMs}/${this.heartbeatMs}`);
    this.bridgeNs = `${lab.id}-eb`;
    // tmpfs: etcd 3.4 has no --unsafe-no-fsync, and fsync stalls on this busy box cause spurious elections
    this.dir = mkdtempSync(join(ETCD_LAB_ROOT, `${ETCD_LAB_DIR_PREFIX}${lab.id}-`));
    for (let i = 1; i <= count; i++) {
      const addr = `${ETCD_SUBNET}.${10 + i}`;
      const m = { index: i, name: `m${i}`, ns: `${lab.id}-e${i}`, ip: addr, url: `http://${addr}:2379`, port: `m${i}` };
      this.members.push({ ...m, dataDir: join(this.dir, m.name), logFile: join(this.dir, `${m.name}.log`), child: null, exited: Promise.resolve() });
    }
  }

  static async create(lab: NetnsLab, opts: EtcdLabOptions = {}): Promise<EtcdLab> {
    const etcd = new EtcdLab(lab, opts);
    // the lab takes the cluster down with it, should a test never get to (or forget) etcd.destroy()
    lab.onDestroy(() => etcd.destroy());
    try {
      await etcd.build();
      const start = performance.now();
      for (const m of etcd.members) etcd.spawn(m, 'new');
      const formed = async (): Promise<true | null> => {
        // a member that exits on start (a bad flag, a port in use) will not come back: say so now, not in 20 s
        const down = etcd.members.filter((m) => !m.child);
        if (down.length) throw new Error(`etcd ${down.map((m) => m.name).join(', ')} exited while the cluster formed`);
        return (await etcd.healthy()) ? true : null;
      };
      await etcd.poll('a healthy cluster', formed, opts.healthyWithinMs ?? 20_000);
      etcd.healthyAfterMs = Math.round(performance.now() - start);
    } catch (err) {
      const logs = etcd.logs(); // before destroy() deletes them
      await etcd.destroy();
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs}`, { cause: err });
    }
    return etcd;
  }

  private async addNamespace(ns: string): Promise<void> {
    this.namespaces.push(ns);
    await addNamespace(ns);
  }

  private attach(port: string, ns: string, dev: string, addr: string): Promise<void> {
    return plugInto(this.bridgeNs, 'br1', port, ns, dev, addr);
  }

  private async build(): Promise<void> {
    await this.addNamespace(this.bridgeNs);
    await ip('-n', this.bridgeNs, 'link', 'add', 'br1', 'type', 'bridge', 'forward_delay', '0');
    await ip('-n', this.bridgeNs, 'link', 'set', 'br1', 'up');
    for (const m of this.members) {
      await this.addNamespace(m.ns);
      await this.attach(m.port, m.ns, 'eth0', m.ip);
    }
    // the gateways' eth1 dies with the bridge namespace (or their own): a veth pair goes as one
    for (const node of this.lab.nodes) await this.attach(gatewayPort(node), node.ns, 'eth1', etcdAddressOf(node));
  }

  private spawn(m: Member, state: 'new' | 'existing'): void {
    const args = [
      ...['--name', m.name, '--data-dir', m.dataDir],
      ...['--listen-peer-urls', `http://${m.ip}:2380`, '--initial-advertise-peer-urls', `http://${m.ip}:2380`],
      ...['--listen-client-urls', m.url, '--advertise-client-urls', m.url],
      ...['--initial-cluster', this.members.map((o) => `${o.name}=http://${o.ip}:2380`).join(','), '--initial-cluster-state', state, '--initial-cluster-token', this.token],
      ...['--heartbeat-interval', String(this.heartbeatMs), '--election-timeout', String(this.electionMs)],
      ...['--logger', 'zap', '--log-outputs', 'stderr'],
    ];
    // straight into a file: the logs outlive the process (and this one's pipes), for the failure that needs them
    const log = openSync(m.logFile, 'a');
    try {
      // ip netns exec execs etcd itself: the child's pid is etcd's, so a kill reaches it
      const child = spawn('ip', ['netns', 'exec', m.ns, ETCD, ...args], { env: { PATH, LANG: 'C' }, stdio: ['ignore', log, log] });
      m.child = child;
      m.exited = new Promise((resolve) => {
        const gone = (): void => {
          if (m.child === child) m.child = null;
          resolve();
        };
        child.once('exit', gone);
        child.once('error', gone);
      });
    } finally {
      closeSync(log);
    }
  }

  private member(i: number): Member {
    const m = this.members[i - 1];
    if (!m) throw new Error(`this etcd cluster has members 1..${this.members.length}, not ${i}`);
    return m;
  }

  private live(): Member[] {
    return this.members.filter((m) => m.child);
  }

  /** Client URLs of all members, running or not. */
  /** The `floating_ip.quorum` lines of a lab node's config (DaemonOptions.extra) for this cluster. */
  quorumConfig(leaseTtlMs: number, onLoss: 'release' | 'keep' = 'release'): string {
    const lines = ['  quorum:', '    etcd:', `      endpoints: [${this.endpoints().join(', ')}]`, `    lease_ttl_in_ms: ${leaseTtlMs}`, `    on_quorum_loss: ${onLoss}`];
    return lines.join('\n');
  }

  endpoints(): string[] {
    return this.members.map((m) => m.url);
  }

  memberNs(i: number): string {
    return this.member(i).ns;
  }

  isRunning(i: number): boolean {
    return this.member(i).child !== null;
  }

  /** etcdctl inside `ns`; short dial and command timeouts (later flags in `args` win). */
  private run(ns: string, endpoints: string[], args: string[], timeoutMs: number): Promise<CommandResult> {
    const flags = [`--endpoints=${endpoints.join(',')}`, '--dial-timeout=1s', '--command-timeout=3s'];
    return sh('ip', ['netns', 'exec', ns, ETCDCTL, ...flags, ...args], timeoutMs);
  }

  /** etcdctl against the running members, from inside the first running member's namespace. */
  async etcdctl(args: string[], timeoutMs = 10_000): Promise<CommandResult> {
    const live = this.live();
    if (!live[0]) throw new Error('no etcd member is running');
    return this.run(live[0].ns, live.map((m) => m.url), args, timeoutMs);
  }

  /** etcdctl from a gateway node, over its eth1, against every member (as a daemon of that node would be configured). */
  etcdctlFrom(node: LabNode, args: string[], timeoutMs = 10_000): Promise<CommandResult> {
    return this.run(node.ns, this.endpoints(), args, timeoutMs);
  }

  /** Every running member answers a linearized read (so there is a leader and a quorum). */
  async healthy(): Promise<boolean> {
    return this.live().length > 0 && (await this.etcdctl(['endpoint', 'health'], 5000)).code === 0;
  }

  async waitHealthy(timeoutMs = 20_000): Promise<number> {
    return (await this.poll('a healthy cluster', async () => ((await this.healthy()) ? true : null), timeoutMs)).ms;
  }

  /** What each running, reachable member says of itself (`endpoint status -w json`). */
  async status(): Promise<MemberStatus[]> {
    const r = await this.etcdctl(['endpoint', 'status', '-w', 'json'], 5000);
    // member ids are uint64: quote every bare integer before JSON.parse rounds it (an unreachable member only adds to stderr)
    const text = r.stdout.replace(/:(\d+)(?=[,}\]])/g, ':"$1"').trim();
    if (!text.startsWith('[')) return [];
    const list = JSON.parse(text) as { Endpoint: string; Status: { header: { member_id: string }; leader: string; raftTerm: string } }[];
    return list.flatMap((e) => {
      const m = this.members.find((o) => o.url === e.Endpoint);
      return m ? [{ index: m.index, memberId: e.Status.header.member_id, leaderId: e.Status.leader, raftTerm: Number(e.Status.raftTerm) }] : [];
    });
  }

  /** The member that leads: the one whose id is its own leader's, in the newest term should an old leader still think it is one. */
  async leader(): Promise<number> {
    const claims = (await this.status()).filter((s) => s.memberId === s.leaderId).sort((a, b) => b.raftTerm - a.raftTerm);
    if (!claims[0]) throw new Error('no etcd member is leader');
    return claims[0].index;
  }

  /** Waits for a leader (other than member `not`, say the one just killed). */
  async waitForLeader(opts: { not?: number; timeoutMs?: number } = {}): Promise<{ index: number; ms: number }> {
    const probe = async (): Promise<number | null> => {
      const i = await this.leader().catch(() => null);
      return i !== null && i !== opts.not ? i : null;
    };
    const { value, ms } = await this.poll(opts.not ? `a leader other than member ${opts.not}` : 'a leader', probe, opts.timeoutMs ?? 15_000);
    return { index: value, ms };
  }

  private async poll<T>(what: string, probe: () => Promise<T | null>, timeoutMs: number): Promise<{ value: T; ms: number }> {
    const start = performance.now();
    for (;;) {
      const value = await probe();
      if (value !== null) return { value, ms: Math.round(performance.now() - start) };
      if (performance.now() - start > timeoutMs) {
        const names = (ms: Member[]): string => ms.map((m) => m.name).join(',') || 'none';
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (running: ${names(this.live())}; stopped: ${names(this.members.filter((m) => !m.child))})`);
      }
      // each probe is an etcdctl process: a few per second is enough, and light on a busy machine
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  async killMember(i: number): Promise<void> {
    const m = this.member(i);
    m.child?.kill('SIGKILL');
    await m.exited;
  }

  /** Starts a stopped member again on its data dir (which is what makes it rejoin: --initial-cluster* are ignored then). */
  async startMember(i: number): Promise<void> {
    const m = this.member(i);
    if (m.child) throw new Error(`etcd member ${i} is running`);
    this.spawn(m, 'existing');
  }

  /**
   * The cluster built anew, as after a total loss without a snapshot: every member killed, its data gone, and a new
   * cluster formed on the same addresses, with no key or lease and revision 1. With a new token (the default) it has
   * a new cluster_id; with the same one, the same (etcd derives the ids from the token and the peer URLs).
   */
  async rebuild(newToken = true, timeoutMs = 20_000): Promise<number> {
    for (const m of this.members) m.child?.kill('SIGKILL');
    await Promise.all(this.members.map((m) => m.exited));
    for (const m of this.members) rmSync(m.dataDir, { recursive: true, force: true });
    if (newToken) this.token = `floatip-${randomBytes(6).toString('hex')}`;
    for (const m of this.members) this.spawn(m, 'new');
    return this.waitHealthy(timeoutMs);
  }

  /**
   * The node loses etcd but keeps its peers on eth0. 'link' (the default) takes its eth1 down: connects fail at once
   * (no route), yet a gRPC client redials until its deadline. 'silent' downs br1's side, a pulled cable: packets vanish.
   */
  async cutNode(node: LabNode, how: 'link' | 'silent' = 'link'): Promise<void> {
    if (how === 'link') await ip('-n', node.ns, 'link', 'set', 'eth1', 'down');
    else await ip('-n', this.bridgeNs, 'link', 'set', gatewayPort(node), 'down');
  }

  async healNode(node: LabNode): Promise<void> {
    await ip('-n', this.bridgeNs, 'link', 'set', gatewayPort(node), 'up');
    await ip('-n', node.ns, 'link', 'set', 'eth1', 'up');
  }

  /**
   * Every member's cable pulled: no node reaches etcd, and the members lose each other too (no leader, so leases
   * neither expire nor renew; a new leader later extends them by their TTL). cutNode on each node keeps etcd whole.
   */
  async cutAll(): Promise<void> {
    for (const m of this.members) await ip('-n', this.bridgeNs, 'link', 'set', m.port, 'down');
  }

  async healAll(): Promise<void> {
    for (const m of this.members) await ip('-n', this.bridgeNs, 'link', 'set', m.port, 'up');
  }

  /** The last lines of member i's log (it lives until destroy). */
  logTail(i: number, lines = 30): string {
    const file = this.member(i).logFile;
    return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
  }

  logs(lines = 30): string {
    return this.members.map((m) => `--- etcd ${m.name} (${m.ip}) log tail:\n${this.logTail(m.index, lines)}`).join('\n');
  }

  /** Kills every member, deletes the namespaces and the data; safe to call twice, and after a half-made create(). */
  async destroy(): Promise<void> {
    for (const m of this.members) m.child?.kill('SIGKILL');
    await Promise.all(this.members.map((m) => m.exited));
    for (const ns of this.namespaces.splice(0).reverse()) await deleteNamespace(ns);
    if (process.env['FLOATIP_LAB_KEEP_ETCD_LOGS']) {
      for (const m of this.members) rmSync(m.dataDir, { recursive: true, force: true });
      console.error(`etcd lab logs kept in ${this.dir}`);
    } else {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
