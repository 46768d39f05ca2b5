// What the attack tests watch in a namespace lab: who holds the address over time, counters, sockets, and the
// wire tool's forged heartbeats.
import { sh, type DaemonOptions, type LabNode, type NetnsLab } from '../../scripts/lab/netns-lab.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const GROUP_TARGET = 'group:224.3.2.2:7654';

/** How long a lab pair may take to settle: node2 (the higher address) master, node1 its backup. */
const SETTLE_MS = 8000;

/** Starts the lab's first two nodes with `opts` and waits until node2 holds the address and node1 follows it. */
export async function settledPair(lab: NetnsLab, opts: DaemonOptions): Promise<[LabNode, LabNode]> {
  const [n1, n2] = lab.pair();
  n1.start(opts);
  n2.start(opts);
  await lab.waitForHolders(['node2'], SETTLE_MS);
  // Bound is not yet master: the transition, and the first heartbeat that tells node1, follow the bind's read-back.
  // A test that stops node2 in between stops a master node1 never heard as one.
  await lab.waitForLog(n2.daemon!, /-> MASTER/, SETTLE_MS);
  await lab.waitForLog(n1.daemon!, /INIT -> BACKUP/, SETTLE_MS);
  await sleep(100);
  return [n1, n2];
}

export interface HolderSample {
  /** ms since the watch started */
  t: number;
  holders: string;
}

/** Who holds the address now: the holders' names joined with '+' ('' for none). */
export async function holdersNow(nodes: readonly LabNode[]): Promise<string> {
  const held = await Promise.all(nodes.map(async (n) => ((await n.holdsVip()) ? n.name : null)));
  return held.filter(Boolean).join('+');
}

/** Samples the holders every `everyMs` for `ms` (see holdersNow). */
export async function watchHolders(lab: NetnsLab, ms: number, everyMs = 50, nodes?: readonly LabNode[]): Promise<HolderSample[]> {
  const samples: HolderSample[] = [];
  const start = Date.now();
  while (Date.now() - start < ms) {
    const holders = await holdersNow(nodes ?? lab.nodes);
    samples.push({ t: Date.now() - start, holders });
    await sleep(everyMs);
  }
  return samples;
}

/** The samples that differ from `expected`, summed up for an assertion message: how many, and the longest stretch. */
export function deviations(samples: readonly HolderSample[], expected: string): string | null {
  const off = samples.filter((s) => s.holders !== expected);
  if (off.length === 0) return null;
  let longest = 0;
  let from: number | null = null;
  for (const s of samples) {
    if (s.holders !== expected) from ??= s.t;
    else if (from !== null) {
      longest = Math.max(longest, s.t - from);
      from = null;
    }
  }
  if (from !== null) longest = Math.max(longest, samples.at(-1)!.t - from);
  const seen = [...new Set(off.map((s) => s.holders || 'nobody'))].join(', ');
  return `${off.length} of ${samples.length} samples were not [${expected}] (seen: ${seen}; longest stretch ${longest} ms, first at ${off[0]!.t} ms)`;
}

/** One sample of a Prometheus counter or gauge from the node's /metrics; 0 when the series is absent. */
export async function metric(node: LabNode, series: string): Promise<number> {
  const text = await node.fetch('/metrics');
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Whether the series is in /metrics at all. */
export async function hasMetric(node: LabNode, name: string): Promise<boolean> {
  return (await node.fetch('/metrics')).split('\n').some((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
}

/** TCP sockets in TIME-WAIT in the node's namespace: a link redialled without backoff leaves thousands. */
export async function timeWaitSockets(node: LabNode): Promise<number> {
  const r = await sh('ip', ['netns', 'exec', node.ns, 'ss', '-Htan', 'state', 'time-wait']);
  if (r.code !== 0) throw new Error(`ss in ${node.ns}: ${r.stderr.trim()}`);
  return r.stdout.split('\n').filter(Boolean).length;
}

export interface ForgeResult {
  target: string;
  sent: number;
  closedByPeer: boolean;
  error: string;
}

/**
 * Sends forged heartbeats with the wire tool from `from`'s namespace (a node, or the lab for the client):
 * `count` copies `spacingMs` apart, copy i with seq + i, signed when `secret` is given.
 */
export async function forge(
  from: LabNode | NetnsLab,
  target: string,
  local: string,
  count: number,
  spacingMs: number,
  fields: Record<string, unknown>,
  secret?: string,
): Promise<ForgeResult> {
  const args = ['forge', target, local, String(count), String(spacingMs), JSON.stringify(fields), ...(secret ? [secret] : [])];
  const r = await from.wire(args, count * spacingMs + 30_000);
  if (r.code !== 0) throw new Error(`wire-tool ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ForgeResult;
  if (result.sent !== count) throw new Error(`wire-tool sent ${result.sent} of ${count} frames: ${r.stdout.trim()}`);
  return result;
}

/** Output a daemon printed since `mark` (an earlier output.length). */
export function outputSince(node: LabNode, mark: number): string {
  return node.daemon!.output.slice(mark);
}
