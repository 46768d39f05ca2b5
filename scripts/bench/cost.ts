// Idle cost of a daemon: RSS and CPU of its whole process tree, read from /proc, after start-up has settled.
import { NetnsLab } from '../lab/netns-lab.js';
import { type Implementation } from './implementations.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const COST_WARMUP_MS = 60_000;
export const COST_WINDOW_MS = 30_000;
/** When a JIT-compiled daemon is measured again: V8 still optimizes a 10 Hz daemon's hot code minutes after start. */
export const COST_STEADY_MS = 300_000;

export interface Usage {
  rssMb: number;
  cpuPercent: number;
  /** the busiest node: for floatip, the master */
  cpuMaxPercent: number;
}

export interface Cost extends Usage {
  impl: string;
  nodes: number;
  settleMs: number | null;
  /** the same, COST_STEADY_MS after settle; only for a JIT-compiled daemon */
  steady: Usage | null;
}

async function treeUsage(pids: number[]): Promise<{ rssKb: number; cpuMs: number }> {
  let rssKb = 0;
  let cpuMs = 0;
  const { readFileSync } = await import('node:fs');
  for (const pid of pids) {
    try {
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      cpuMs += ((Number(stat[11]) + Number(stat[12])) * 1000) / 100;
    } catch {
      // exited
    }
  }
  return { rssKb, cpuMs };
}

async function usageOver(pids: number[][], windowMs: number): Promise<Usage> {
  const before = await Promise.all(pids.map(treeUsage));
  await sleep(windowMs);
  const after = await Promise.all(pids.map(treeUsage));
  const rss = after.reduce((n, u) => n + u.rssKb, 0) / pids.length / 1024;
  const perNode = after.map((u, i) => (u.cpuMs - before[i]!.cpuMs) / windowMs);
  const cpu = perNode.reduce((a, b) => a + b, 0) / pids.length;
  const pct = (x: number): number => Math.round(x * 1000) / 10;
  return { rssMb: Math.round(rss * 10) / 10, cpuPercent: pct(cpu), cpuMaxPercent: pct(Math.max(...perNode)) };
}

export async function measureCost(impl: Implementation, nodes: number, steadyCost: boolean): Promise<Cost> {
  const lab = await NetnsLab.create(nodes);
  try {
    const t0 = performance.now();
    lab.nodes.forEach((n, i) => impl.start(n, i));
    let settleMs: number | null = null;
    try {
      await lab.waitFor('one holder', () => lab.holders(), (h) => h.length === 1, impl.budgetMs * 3 + 20_000);
      settleMs = Math.round(performance.now() - t0);
    } catch {
      settleMs = null;
    }
    // Idle means after start-up: a Node.js daemon's heap still settles (major collections on helper threads) for
    // most of a minute after it starts.
    await sleep(COST_WARMUP_MS);
    const pids = await Promise.all(lab.nodes.map((n) => n.daemonPids()));
    const first = await usageOver(pids, COST_WINDOW_MS);
    let steady: Usage | null = null;
    if (impl.jit && steadyCost) {
      await sleep(COST_STEADY_MS - COST_WARMUP_MS - COST_WINDOW_MS);
      steady = await usageOver(pids, COST_WINDOW_MS);
    }
    return { impl: impl.name, nodes, ...first, settleMs, steady };
  } finally {
    await lab.destroy();
  }
}
