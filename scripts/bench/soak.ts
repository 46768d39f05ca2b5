// The soak: a long run under a saturated CPU and a lossy, jittery link, counting address moves that nobody caused.
import { spawn } from 'node:child_process';
import { NetnsLab, sh } from '../lab/netns-lab.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The echo settings a soak runs with. */
export interface SoakTimers {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly hostTimeoutMs?: number;
}

/** The soaks of a full run: the 1 s budget, and the 3.6 s budget with a 150 ms host timeout (echo.host_timeout_in_ms). */
export const SOAKS: readonly SoakTimers[] = [
  { timeoutMs: 1000, intervalMs: 100 },
  { timeoutMs: 3600, intervalMs: 1000, hostTimeoutMs: 150 },
];

export interface Soak {
  timers: SoakTimers;
  minutes: number;
  falseFailovers: number;
  transitions: string[];
  worstClientGapMs: number;
}

/** The master's CPU saturated, 5% loss and 20 ms jitter both ways on its link. */
export async function soak(minutes: number, timers: SoakTimers): Promise<Soak> {
  const lab = await NetnsLab.create(2);
  const hogs: ReturnType<typeof spawn>[] = [];
  try {
    for (const n of lab.nodes) await n.startService();
    for (const n of lab.nodes) n.start({ ...timers, dialTimeoutMs: 500, extra: '  status:\n    listen: "off"' });
    await lab.waitFor('one holder', () => lab.holders(), (h) => h.length === 1, 15_000);
    await sleep(1500);
    const [holder] = await lab.holders();
    const master = lab.nodes.find((n) => n.name === holder)!;
    await sh('tc', ['-n', master.ns, 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem', 'delay', '20ms', '20ms', 'loss', '5%']);
    await sh('tc', ['-n', lab.bridgeNs, 'qdisc', 'add', 'dev', master.bridgePort, 'root', 'netem', 'delay', '20ms', '20ms', 'loss', '5%']);
    for (let i = 0; i < 2; i++) {
      const hog = spawn('ip', ['netns', 'exec', master.ns, process.execPath, '-e', 'for(;;){}'], { stdio: 'ignore' });
      hogs.push(hog);
      lab.children.add(hog);
    }
    const marks = lab.nodes.map((n) => n.daemon!.output.length);
    const probe = lab.startProbe(minutes * 60_000 + 5000);
    const end = Date.now() + minutes * 60_000;
    let changes = 0;
    let last = holder;
    while (Date.now() < end) {
      await sleep(250);
      const h = (await lab.holders()).join('+');
      if (h !== last) {
        changes++;
        last = h;
      }
    }
    const transitions = lab.nodes.flatMap((n, i) => n.daemon!.output.slice(marks[i]).split('\n').filter((l) => l.includes(' -> ')).map((l) => `${n.name}: ${l}`));
    const gap = probe.longestGap(0);
    probe.stop();
    return { timers, minutes, falseFailovers: changes, transitions, worstClientGapMs: gap };
  } finally {
    for (const h of hogs) h.kill('SIGKILL');
    await lab.destroy();
  }
}
