import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NetnsLab, VIP, removeStaleLabs, sh, type LabNode } from '../../scripts/lab/netns-lab.js';
import { integrationSkipReason } from '../support/integration-gate.js';

// Issue 11's floods, at the issue's timers: two nodes, a 1000 ms timeout, 200 ms heartbeats. Generous bounds:
// these tests assert behaviour (idle again, bounded growth, one holder), they are not benchmarks.
const SETTLE_MS = 8000;
const FLOOD_MS = 5000;
/** After the flood: links to the spoofed peers expire after five silent timeouts, within the 10 s the issue allows. */
const WATCH_MS = 10_000;
const skip = integrationSkipReason();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** 100 spoofed in-subnet sources, then one off the nodes' /24 (still in 198.18.0.0/15). */
const SPOOFED = Array.from({ length: 100 }, (_, i) => `198.18.0.${120 + i}`);
const OFF_SUBNET = '198.19.0.5';

async function tcpSockets(node: LabNode): Promise<number> {
  const r = await sh('ip', ['netns', 'exec', node.ns, 'ss', '-Htan']);
  return r.stdout.split('\n').filter(Boolean).length;
}

const lines = (text: string): number => text.split('\n').filter(Boolean).length;

describe('floods of hostile traffic', { skip }, () => {
  let lab: NetnsLab;
  before(async () => {
    await removeStaleLabs();
    lab = await NetnsLab.create(2);
    const batch = join(lab.dir, 'spoofed.batch');
    writeFileSync(batch, [...SPOOFED.map((a) => `addr add ${a}/24 dev eth0`), `addr add ${OFF_SUBNET}/24 dev eth0`].join('\n') + '\n');
    const r = await sh('ip', ['-n', lab.clientNs, '-batch', batch]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => lab?.destroy());

  it('spoofed peers, other groups, unicast and off-subnet lies: one holder throughout, and idle, small and quiet again within 10 s', async () => {
    const [n1, n2] = lab.pair();
    n1.start({ intervalMs: 200, timeoutMs: 1000 });
    n2.start({ intervalMs: 200, timeoutMs: 1000 });
    await lab.waitForHolders(['node2'], SETTLE_MS);
    await sleep(2000);
    const before = lab.nodes.map((n) => ({ ...n.usage(), lines: lines(n.daemon!.output), sockets: 0 }));
    for (const [i, n] of lab.nodes.entries()) before[i]!.sockets = await tcpSockets(n);

    const seen = new Set<string>();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        seen.add((await lab.holders()).join('+'));
        await sleep(100);
      }
    })();
    const flood = lab.wire(['flood', '224.3.2.2', '7654', VIP, [...SPOOFED, OFF_SUBNET].join(','), `${n1.ip},${n2.ip}`, String(FLOOD_MS), String(WATCH_MS)], 60_000);
    // The CPU over the last 3 s of the 10 s after the flood, while the refusing listeners are still up
    await sleep(FLOOD_MS + WATCH_MS - 3000);
    const settled = lab.nodes.map((n) => n.usage());
    await sleep(3000);
    const out = await flood;
    watching = false;
    await watch;
    assert.equal(out.code, 0, out.stderr);
    const counts = JSON.parse(out.stdout) as { heartbeats: number; foreign: number; unicast: number; offSubnet: number; accepts: number; acceptsLate: number };
    assert.ok(counts.foreign > 10_000 && counts.heartbeats > 1000, out.stdout);
    const report: string[] = [];
    const after = [];
    for (const [i, n] of lab.nodes.entries()) {
      const idle = n.usage();
      const cpu = (idle.cpuMs - settled[i]!.cpuMs) / 3000;
      const rssGrowthKb = idle.rssKb - before[i]!.rssKb;
      const logGrowth = lines(n.daemon!.output) - before[i]!.lines;
      const sockets = await tcpSockets(n);
      after.push({ n, cpu, rssGrowthKb, logGrowth, sockets });
      report.push(`${n.name}: CPU ${(cpu * 100).toFixed(1)}% of a core, RSS ${before[i]!.rssKb} -> ${idle.rssKb} kB, +${logGrowth} log lines, TCP sockets ${before[i]!.sockets} -> ${sockets}`);
    }
    console.log(`# flood: ${out.stdout.trim()}; holders seen: ${[...seen].join(' ')}\n# ${report.join('\n# ')}`);
    for (const { n, cpu, rssGrowthKb, logGrowth, sockets } of after) {
      assert.ok(cpu < 0.1, `${n.name} CPU ${cpu} of a core 10 s after the flood`);
      assert.ok(rssGrowthKb < 50_000, `${n.name} RSS grew by ${rssGrowthKb} kB`);
      assert.ok(logGrowth < 500, `${n.name} logged ${logGrowth} lines for the flood`);
      assert.ok(sockets < 20, `${n.name} has ${sockets} TCP sockets`);
      assert.equal(n.daemon!.running, true);
    }
    assert.ok(counts.acceptsLate <= 20, `the nodes still dialled the refusing peers ${counts.acceptsLate} times in the last 3 s (${counts.accepts} in all)`);
    assert.deepEqual([...seen], ['node2'], `holders seen: ${[...seen].join(' ')}`);
    assert.doesNotMatch(n1.daemon!.output + n2.daemon!.output, /MASTER -> BACKUP|BACKUP -> MASTER/);
    const metrics = await n2.fetch('/metrics');
    assert.match(metrics, /floatip_heartbeats_rejected_total\{reason="foreign-address"\} [1-9]/);
    assert.match(metrics, /floatip_heartbeats_rejected_total\{reason="foreign-source"\} [1-9]/);
  });
});
