// Start-up: wall time from spawn to done (check, status, --version) or to the first state line (run), beside
// `node -e 0` and keepalived, all spawned the same way inside one lab node's namespace, interleaved.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, PATH, VIP } from '../lab/lab-shell.js';
import { NetnsLab, type LabNode } from '../lab/netns-lab.js';

export interface StartupRow {
  readonly what: string;
  readonly medianMs: number;
  readonly maxMs: number;
  /** median over node -e 0's median */
  readonly timesNode: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Spawn to exit, or to the first output line matching `until` (then the process is stopped). */
function timeOne(node: LabNode, argv: string[], until?: RegExp): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('ip', ['netns', 'exec', node.ns, ...argv], { env: { ...process.env, PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let done = false;
    const finish = (ms: number): void => {
      if (done) return;
      done = true;
      resolve(Math.round(ms));
      if (until) child.kill('SIGTERM');
    };
    const watch = (chunk: Buffer): void => {
      out += chunk.toString();
      if (until?.test(out)) finish(performance.now() - t0);
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    child.once('error', reject);
    child.once('exit', () => {
      if (until && !done) reject(new Error(`${argv.join(' ')} exited before ${String(until)}: ${out.slice(0, 300)}`));
      else finish(performance.now() - t0);
    });
    setTimeout(() => {
      if (!done) {
        child.kill('SIGKILL');
        reject(new Error(`${argv.join(' ')}: no end in 20 s`));
      }
    }, 20_000);
  });
}

export async function measureStartup(reps: number): Promise<StartupRow[]> {
  const lab = await NetnsLab.create(1);
  try {
    const node = lab.nodes[0]!;
    const config = node.writeConfig(node.config({ extra: '  status:\n    listen: "off"' }), 'startup.yml');
    const keepalivedConf = join(lab.dir, 'startup-keepalived.conf');
    writeFileSync(keepalivedConf, `vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  advert_int 1\n  virtual_ipaddress { ${VIP}/24 dev eth0 }\n}\n`);
    const pid = (p: string): string => join(lab.dir, `startup-${p}.pid`);
    const node0 = process.execPath;
    const cases: { what: string; argv: string[]; until?: RegExp }[] = [
      { what: 'node -e 0', argv: [node0, '-e', '0'] },
      { what: 'floatip --version', argv: [node0, CLI, '--version'] },
      { what: 'floatip check', argv: [node0, CLI, 'check', '--config', config] },
      { what: 'floatip status (nothing listening)', argv: [node0, CLI, 'status'] },
      { what: 'floatip run, to its first state line', argv: [node0, CLI, 'run', '--config', config, '--log-format', 'text'], until: /STOPPED -> INIT/ },
      { what: 'keepalived --config-test', argv: ['keepalived', '--config-test', '-f', keepalivedConf] },
      {
        what: 'keepalived --vrrp, to its first state line',
        argv: ['keepalived', '--dont-fork', '--log-console', '--vrrp', '-f', keepalivedConf, '-p', pid('k'), '-r', pid('v'), '-c', pid('c'), '-b', pid('b')],
        until: /Entering BACKUP STATE/,
      },
    ];
    const times = new Map<string, number[]>(cases.map((c) => [c.what, []]));
    for (let rep = 0; rep < reps; rep++) {
      for (const c of cases) {
        times.get(c.what)!.push(await timeOne(node, c.argv, c.until));
        // a run stopped by SIGTERM releases nothing (it held nothing) and exits; let it go before the next
        await new Promise((r) => setTimeout(r, c.until ? 300 : 50));
      }
    }
    const base = median(times.get('node -e 0')!);
    return cases.map((c) => {
      const xs = times.get(c.what)!;
      return { what: c.what, medianMs: median(xs), maxMs: Math.max(...xs), timesNode: Math.round((median(xs) / base) * 10) / 10 };
    });
  } finally {
    await lab.destroy();
  }
}
