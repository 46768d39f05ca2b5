// A randomized fault run: three nodes, one fault after another on a random node (the holder half the time), and
// how long two live nodes (plugged in) held the address, in all and at the longest, after each fault.
import { NetnsLab, type LabNode } from '../lab/netns-lab.js';
import type { Implementation } from './implementations.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const FAULTS = ['crash-rejoin', 'kill9', 'sigterm', 'partition'] as const;
type Fault = (typeof FAULTS)[number];

export interface Chaos {
  readonly impl: string;
  readonly seconds: number;
  readonly faults: number;
  /** ms with two or more holders, in all */
  readonly twoHoldersMs: number;
  /** the longest stretch with two or more holders */
  readonly longestMs: number;
  /** the fault that stretch followed */
  readonly longestAfter: string;
  /** ms with no holder at all, in all */
  readonly noHolderMs: number;
}

/** Seeded, so a run can be repeated: a small LCG is enough to pick faults. */
function random(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

async function killTree(node: LabNode): Promise<void> {
  for (const pid of await node.daemonPids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

export async function chaos(impl: Implementation, seconds: number, seed = 15): Promise<Chaos> {
  const lab = await NetnsLab.create(3);
  const rnd = random(seed);
  const polls: { t: number; holders: string[]; fault: string }[] = [];
  let current = 'start';
  let running = true;
  /** unplugged: what such a host holds serves nobody, so it is no live holder */
  const cut = new Set<string>();
  try {
    lab.nodes.forEach((n, i) => impl.start(n, i));
    await lab.waitFor('one holder', () => lab.holders(), (h) => h.length === 1, impl.budgetMs * 3 + 20_000);
    const watcher = (async () => {
      while (running) {
        try {
          polls.push({ t: performance.now(), holders: (await lab.holders()).filter((h) => !cut.has(h)), fault: current });
        } catch {
          // a missed look
        }
        await sleep(20);
      }
    })();
    const end = performance.now() + seconds * 1000;
    let faults = 0;
    while (performance.now() < end) {
      const holders = await lab.holders();
      const holder = lab.nodes.find((n) => n.name === holders[0]);
      const node = holder && rnd() < 0.5 ? holder : lab.nodes[Math.floor(rnd() * lab.nodes.length)]!;
      const fault: Fault = FAULTS[Math.floor(rnd() * FAULTS.length)]!;
      const down = impl.budgetMs + 500 + rnd() * 2000;
      current = `${fault} of ${node.name}${node === holder ? ' (the holder)' : ''}`;
      faults++;
      switch (fault) {
        case 'crash-rejoin':
          cut.add(node.name);
          await node.unplug();
          await killTree(node);
          await sleep(down);
          await node.plug();
          cut.delete(node.name);
          impl.start(node, lab.nodes.indexOf(node));
          break;
        case 'kill9':
          node.daemon!.kill('SIGKILL');
          await sleep(down);
          await killTree(node);
          impl.start(node, lab.nodes.indexOf(node));
          break;
        case 'sigterm':
          node.daemon!.kill('SIGTERM');
          await sleep(down);
          await killTree(node);
          impl.start(node, lab.nodes.indexOf(node));
          break;
        case 'partition':
          cut.add(node.name);
          await node.unplug();
          await sleep(down);
          await node.plug();
          cut.delete(node.name);
          break;
      }
      await sleep(2000 + rnd() * 1000);
    }
    running = false;
    await watcher;
    let two = 0;
    let none = 0;
    let longest = 0;
    let longestAfter = '';
    let stretch = 0;
    for (let i = 1; i < polls.length; i++) {
      const p = polls[i - 1]!;
      const dt = polls[i]!.t - p.t;
      if (p.holders.length >= 2) {
        two += dt;
        stretch += dt;
        if (stretch > longest) {
          longest = stretch;
          longestAfter = p.fault;
        }
      } else stretch = 0;
      if (p.holders.length === 0) none += dt;
    }
    return { impl: impl.name, seconds, faults, twoHoldersMs: Math.round(two), longestMs: Math.round(longest), longestAfter, noHolderMs: Math.round(none) };
  } finally {
    running = false;
    await lab.destroy();
  }
}
