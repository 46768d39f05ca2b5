// The quorum mode's namespace tests: a gateway lab with a three-member etcd cluster beside it, and a watch that
// samples who holds the address all through a fault, so that "never two holders" is seen, not assumed.
import { existsSync } from 'node:fs';
import { after, before, describe } from 'node:test';
import { EtcdLab } from '../../scripts/lab/etcd-lab.js';
import { NetnsLab, VIP, ip, type DaemonOptions, type LabNode } from '../../scripts/lab/netns-lab.js';
import { holdersNow, settledPair, sleep, type HolderSample } from './lab-watch.js';

/** etcd's own minimum TTL at its default 1 s election timeout is 2 s; 3 s leaves room for a leader change. */
export const LEASE_TTL_MS = 3000;

export interface QuorumLabContext {
  readonly lab: NetnsLab;
  readonly etcd: EtcdLab;
}

/** Where etcd-server is missing on a developer machine the suite is skipped; where CI=true it must run. */
function etcdSkipReason(): string | false {
  if (existsSync('/usr/bin/etcd') && existsSync('/usr/bin/etcdctl')) return false;
  const reason = 'the quorum tests need etcd-server and etcd-client (bash scripts/install-deps.sh --test)';
  if (process.env['CI'] === 'true') throw new Error(`${reason} (CI=true: they must run)`);
  return reason;
}

/** A suite around one two-node lab and one etcd cluster, made before its first test and removed after its last. */
export function describeQuorumLab(name: string, body: (ctx: QuorumLabContext) => void): void {
  describe(name, { skip: etcdSkipReason() }, () => {
    const ctx = {} as { lab: NetnsLab; etcd: EtcdLab };
    before(async () => {
      ctx.lab = await NetnsLab.create(2);
      for (const n of ctx.lab.nodes) await n.startService();
      ctx.etcd = await EtcdLab.create(ctx.lab);
    });
    after(async () => {
      await ctx.etcd?.destroy();
      await ctx.lab?.destroy();
    });
    body(ctx);
  });
}

export function quorumOptions(etcd: EtcdLab, onLoss: 'release' | 'keep' = 'release'): DaemonOptions {
  return { timeoutMs: 1000, intervalMs: 100, dialTimeoutMs: 500, extra: etcd.quorumConfig(LEASE_TTL_MS, onLoss) };
}

/**
 * A fresh start for the next fault: daemons killed, the address off both nodes, every link and member back, the
 * keys gone; then node2 (the higher address) master with the key, node1 its backup.
 */
export async function freshPair(ctx: QuorumLabContext, onLoss: 'release' | 'keep' = 'release'): Promise<[LabNode, LabNode]> {
  const { lab, etcd } = ctx;
  for (const n of lab.nodes) {
    n.daemon?.kill('SIGKILL');
    await n.daemon?.exited;
    await n.plug();
    await etcd.healNode(n);
    if (await n.holdsVip()) await ip('-n', n.ns, 'addr', 'del', `${VIP}/24`, 'dev', 'eth0');
  }
  await etcd.healAll();
  for (let i = 1; i <= 3; i++) if (!etcd.isRunning(i)) await etcd.startMember(i);
  await etcd.waitHealthy();
  const del = await etcd.etcdctl(['del', '--prefix', '/floatip']);
  if (del.code !== 0) throw new Error(`etcdctl del: ${del.stderr}`);
  const pair = await settledPair(lab, quorumOptions(etcd, onLoss));
  await lab.waitForLog(pair[1].daemon!, /etcd key of 198\.18\.0\.100: held by this node/, 5000);
  return pair;
}

/** Samples the holders (every ~20 ms) from now until stop(): the samples, and any moment with two. */
export function watchAllHolders(nodes: readonly LabNode[]): { stop(): Promise<HolderSample[]> } {
  const samples: HolderSample[] = [];
  const start = Date.now();
  let running = true;
  const loop = (async () => {
    while (running) {
      const holders = await holdersNow(nodes);
      samples.push({ t: Date.now() - start, holders });
      await sleep(20);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}

/** The samples where two nodes held the address, summed up for an assertion message; null: never. */
export function twoHolders(samples: readonly HolderSample[]): string | null {
  const two = samples.filter((s) => s.holders.includes('+'));
  if (two.length === 0) return null;
  return `${two.length} of ${samples.length} samples had two holders, first at ${two[0]!.t} ms, last at ${two.at(-1)!.t} ms`;
}

/** When (ms since the watch began) the holders first became `who`, and stayed so to the end; -1: not so at the end. */
export function settledOn(samples: readonly HolderSample[], who: string): number {
  let since = -1;
  for (const s of samples) {
    if (s.holders === who) since = since < 0 ? s.t : since;
    else since = -1;
  }
  return since;
}
