// One failure, staged on a fresh lab, measured from the client's side and from the addresses held.
import { EtcdLab } from '../lab/etcd-lab.js';
import { NetnsLab, type ClientProbe, type LabNode, type ProbeSample } from '../lab/netns-lab.js';
import type { Implementation } from './implementations.js';

export const SCENARIOS = ['crash', 'kill9', 'sigterm', 'partition', 'rejoin', 'stall'] as const;
/** The master falls silent without a word: these cells are compared by their pooled median, per budget. */
export const SILENT_MASTER: readonly Scenario[] = ['crash', 'partition', 'rejoin'];
export type Scenario = (typeof SCENARIOS)[number];

export const SCENARIO_LABEL: Record<Scenario, string> = {
  crash: 'host crash (link down + kill -9)',
  kill9: 'daemon kill -9, host up',
  sigterm: 'graceful stop (SIGTERM)',
  partition: 'partition of the master, healed',
  rejoin: 'old master rejoins after a crash',
  stall: 'master daemon stalled (SIGSTOP), host up',
};

export interface RunResult {
  readonly impl: string;
  readonly scenario: Scenario;
  /** Longest time the client got no answer, from the failure until the end (partition: until the heal). */
  readonly outageMs: number;
  /** From the failure until a node other than the failed master answered the client. */
  readonly otherAnswersMs: number | null;
  /** After the heal or rejoin: the longest client gap, and how long two nodes held the address. */
  readonly healGapMs: number | null;
  readonly twoHoldersMs: number | null;
  /** A partition: how long two nodes held the address while it lasted (the isolated master and the one that took over). */
  readonly twoHoldersDuringMs: number | null;
  /** Moves of the address that should not have happened. */
  readonly unwantedMoves: number;
  readonly samples: readonly ProbeSample[];
  readonly failureAt: number;
  readonly failedNode: string;
  /** The daemons' log lines around the heal, kept when the client saw a gap there: what happened, for the log. */
  readonly healLog: string | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Signals each process still there: a daemon's tree holds short-lived commands too, gone by the time they are signalled. */
function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited
    }
  }
}

/** Longest stretch without an answer whose span overlaps [from, to]; a stretch still open at `to` counts up to `to`. */
export function longestGap(samples: readonly ProbeSample[], from: number, to: number): number {
  const answered = samples.filter((s) => s.who !== null);
  let worst = 0;
  for (let i = 1; i < answered.length; i++) {
    const a = answered[i - 1]!;
    const b = answered[i]!;
    if (b.t > from && a.t < to) worst = Math.max(worst, Math.min(b.t, to) - Math.max(a.t, from));
  }
  const last = answered.at(-1);
  if (last && last.t < to) worst = Math.max(worst, to - Math.max(last.t, from));
  return worst;
}

/** Stretches without an answer longer than `min` ms, relative to the failure, for the log. */
export function gapsOf(run: RunResult, min = 100): string {
  const answered = run.samples.filter((s) => s.who !== null);
  const out: string[] = [];
  for (let i = 1; i < answered.length; i++) {
    const a = answered[i - 1]!;
    const b = answered[i]!;
    if (b.t - a.t > min) out.push(`${a.t - run.failureAt}..${b.t - run.failureAt} (${a.who}->${b.who})`);
  }
  return out.join(', ');
}

/** The answering node's changes after `from`, ignoring silence. */
function moves(samples: readonly ProbeSample[], from: number): string[] {
  const seq: string[] = [];
  for (const s of samples) if (s.t >= from && s.who && seq.at(-1) !== s.who) seq.push(s.who);
  return seq;
}

class HolderWatch {
  readonly polls: { t: number; holders: string[] }[] = [];
  private running = true;
  private done: Promise<void>;
  constructor(lab: NetnsLab, probe: ClientProbe) {
    this.done = (async () => {
      while (this.running) {
        try {
          this.polls.push({ t: probe.now, holders: await lab.holders() });
        } catch {
          // one failed look (a slow `ip` under load) is a missing sample, not a failed run
        }
        await sleep(20);
      }
    })();
  }
  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
  twoHoldersAfter(from: number, to = Infinity): number {
    let total = 0;
    for (let i = 1; i < this.polls.length; i++) {
      const p = this.polls[i - 1]!;
      if (p.t >= from && p.t < to && p.holders.length >= 2) total += this.polls[i]!.t - p.t;
    }
    return total;
  }
}

async function settle(lab: NetnsLab, probe: ClientProbe, impl: Implementation): Promise<LabNode> {
  const limit = impl.budgetMs * 3 + 15_000;
  await lab.waitFor('exactly one holder', () => lab.holders(), (h) => h.length === 1, limit);
  const [name] = await lab.holders();
  await lab.waitFor('the client to reach the holder', async () => probe.lastAnswer(), (w) => w === name, 10_000);
  await sleep(1500);
  const [still] = await lab.holders();
  return lab.nodes.find((n) => n.name === still)!;
}

/** Log lines stamped from 200 ms before to 1.5 s after a wall-clock moment, of every node (ISO timestamps first). */
function logsAround(lab: NetnsLab, wall: number): string {
  const from = new Date(wall - 200).toISOString();
  const to = new Date(wall + 1500).toISOString();
  return lab.nodes
    .map((n) => {
      const lines = n.allOutput.split('\n').filter((l) => l.slice(0, 24) >= from && l.slice(0, 24) <= to);
      return `${n.name}:\n${lines.map((l) => `    ${l}`).join('\n')}`;
    })
    .join('\n');
}

export async function runScenario(impl: Implementation, scenario: Scenario, nodeCount: number): Promise<RunResult> {
  const lab = await NetnsLab.create(nodeCount);
  try {
    for (const n of lab.nodes) await n.startService();
    // quorum mode: three etcd members beside the lab (lab.destroy() takes them down too)
    const etcd = impl.needsEtcd ? await EtcdLab.create(lab) : undefined;
    lab.nodes.forEach((n, i) => impl.start(n, i, etcd));
    const probe = lab.startProbe(600_000);
    const master = await settle(lab, probe, impl);
    const watch = new HolderWatch(lab, probe);
    // at a random moment, not in step with anyone's heartbeat: a crash right after one costs the whole budget
    await sleep(300 + Math.random() * 1000);
    const t0 = probe.now;
    // BENCH_LOGS=1: every run prints the daemons' log lines around its failure, not only a slow heal's
    const failWall = Date.now();
    const observe = impl.budgetMs + 3000;
    let healAt: number | null = null;
    let healWall = 0;

    switch (scenario) {
      case 'crash':
        await master.unplug();
        master.daemon!.kill('SIGKILL');
        await sleep(observe);
        break;
      case 'kill9':
        master.daemon!.kill('SIGKILL');
        await sleep(observe);
        break;
      case 'sigterm':
        master.daemon!.kill('SIGTERM');
        await sleep(observe);
        break;
      case 'partition':
        // the master's host is cut off from everything: its peers, its clients and, in quorum mode, etcd
        await master.unplug();
        await etcd?.cutNode(master, 'silent');
        await sleep(impl.budgetMs + 2500);
        healAt = probe.now;
        healWall = Date.now();
        await etcd?.healNode(master);
        await master.plug();
        await sleep(Math.max(3000, impl.budgetMs + 1000));
        break;
      case 'stall': {
        // the host's kernel still answers; only the full budget may move the address
        // every process of the daemon (keepalived's VRRP child too)
        const stalled = await master.daemonPids();
        signalAll(stalled, 'SIGSTOP');
        await sleep(observe);
        signalAll(stalled, 'SIGCONT');
        await sleep(1000);
        break;
      }
      case 'rejoin': {
        // a host crash takes every process with it at once: floatip's release guard too, so the address stays bound
        await master.unplug();
        signalAll(await master.daemonPids(), 'SIGKILL');
        await lab.waitFor('another node to answer', async () => probe.lastAnswer(), (w) => w !== null && w !== master.name, observe + 10_000);
        await sleep(1000);
        // the host comes back with whatever its dead daemon left bound, and the daemon is started again
        signalAll(await master.daemonPids(), 'SIGKILL');
        healAt = probe.now;
        healWall = Date.now();
        await master.plug();
        impl.start(master, lab.nodes.indexOf(master), etcd);
        await sleep(impl.budgetMs * 2 + 3000);
        break;
      }
    }
    await watch.stop();
    const end = probe.now;
    probe.stop();
    const samples = probe.samples;
    const other = samples.find((s) => s.t > t0 && s.who !== null && s.who !== master.name);
    const after = moves(samples, healAt ?? t0);
    let unwanted: number;
    if (scenario === 'rejoin') unwanted = Math.max(0, after.length - 1);
    else if (scenario === 'partition') unwanted = Math.max(0, after.length - 2);
    else unwanted = Math.max(0, after.length - (after[0] === master.name ? 2 : 1));
    const healGapMs = healAt === null ? null : longestGap(samples, healAt, end);
    return {
      impl: impl.name,
      scenario,
      healLog: healGapMs !== null && healGapMs > 100 ? logsAround(lab, healWall) : process.env['BENCH_LOGS'] ? logsAround(lab, failWall) : null,
      outageMs: longestGap(samples, t0, healAt ?? end),
      otherAnswersMs: other ? other.t - t0 : null,
      healGapMs,
      twoHoldersMs: healAt === null ? null : watch.twoHoldersAfter(healAt),
      twoHoldersDuringMs: scenario === 'partition' && healAt !== null ? watch.twoHoldersAfter(t0, healAt) : null,
      unwantedMoves: unwanted,
      samples: samples.filter((s) => s.t >= t0 - 1000),
      failureAt: t0,
      failedNode: master.name,
    };
  } finally {
    await lab.destroy();
  }
}
