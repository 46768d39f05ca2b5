// npm run bench: floatip against keepalived and ucarp in one namespace lab, at equal failure-detection
// budgets; writes docs/benchmarks.md and the timeline SVGs. Run as root. Nothing leaves the lab.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeStaleLabs } from '../lab/netns-lab.js';
import { chaos, type Chaos } from './chaos.js';
import { COST_STEADY_MS, measureCost, type Cost } from './cost.js';
import { floatip, floatipAddresses, floatipQuorum, keepalived, ucarp, type Implementation } from './implementations.js';
import { parseOptions } from './options.js';
import { renderDoc } from './report.js';
import { fmt, pooledSilentMaster, pooledTable, table, type Row } from './results-table.js';
import { SCENARIO_LABEL, gapsOf, runScenario } from './scenarios.js';
import { SOAKS, soak, type Soak } from './soak.js';
import { measureStartup, type StartupRow } from './startup.js';
import { timelineSvg } from './svg.js';

export const IMPLEMENTATIONS: Implementation[] = [
  keepalived('keepalived VRRPv2, advert_int 1', '~3.6 s', 2, 1),
  floatip('floatip, timeout 3600 ms, heartbeat 1000 ms', '~3.6 s', 3600, 1000),
  floatip('floatip, timeout 3600 ms, heartbeat 1000 ms, host timeout 150 ms', '~3.6 s', 3600, 1000, 150),
  ucarp('ucarp, advbase 1', '~3.6 s', 1),
  keepalived('keepalived VRRPv3, advert_int 0.1', '~360 ms', 3, 0.1),
  floatip('floatip, timeout 360 ms, heartbeat 100 ms', '~360 ms', 360, 100),
  floatip('floatip defaults, timeout 10000 ms, heartbeat 1000 ms', 'defaults', 10_000, 1000),
  floatipQuorum('floatip quorum mode, etcd lease TTL 3000 ms, timeout 1000 ms, heartbeat 100 ms', 'quorum', 1000, 100, 3000),
];

const log = (line: string): void => console.log(`[bench] ${line}`);

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the benchmark builds network namespaces: run it as root');
  const o = parseOptions(process.argv.slice(2));
  await removeStaleLabs();
  const impls = IMPLEMENTATIONS.filter((i) => !o.only || i.name.includes(o.only));
  const started = new Date();
  let startup: StartupRow[] = [];
  if (o.startupReps > 0) {
    startup = await measureStartup(o.startupReps);
    for (const r of startup) log(`start-up: ${r.what}: median ${r.medianMs} ms (max ${r.maxMs}), ${r.timesNode} x node -e 0`);
  }
  const rows: Row[] = [];
  const svgs: string[] = [];
  mkdirSync(o.out, { recursive: true });
  for (const impl of impls) {
    for (const scenario of o.scenarios) {
      const row: Row = { impl, scenario, runs: [] };
      for (let rep = 0; rep < o.reps; rep++) {
        try {
          const r = await runScenario(impl, scenario, o.nodes);
          row.runs.push(r);
          log(`${impl.name} | ${scenario} #${rep + 1}: outage ${r.outageMs} ms, other answers after ${fmt(r.otherAnswersMs)} ms${r.twoHoldersDuringMs !== null ? `, two holders during ${r.twoHoldersDuringMs} ms` : ''}${r.healGapMs !== null ? `, heal gap ${r.healGapMs} ms, two holders ${r.twoHoldersMs} ms` : ''}, unwanted ${r.unwantedMoves}; gaps ${gapsOf(r) || 'none'}`);
          if (r.healLog) log(`${impl.name} | ${scenario} #${rep + 1}: logs around the heal:\n${r.healLog}`);
          if (scenario === 'crash' && rep === 0) {
            const file = `timeline-${impl.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase().replace(/-+$/, '')}.svg`;
            writeFileSync(join(o.out, file), timelineSvg(r, `${impl.name}: ${SCENARIO_LABEL.crash}`));
            svgs.push(file);
          }
        } catch (err) {
          log(`${impl.name} | ${scenario} #${rep + 1}: FAILED ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        }
      }
      rows.push(row);
    }
  }
  const results = table(rows);
  const pooled = pooledTable(pooledSilentMaster(rows));
  console.log(`\n${results}\n\n${pooled}\n`);

  const costs: Cost[] = [];
  if (o.cost) {
    const costImpls = [floatip('floatip, heartbeat 100 ms', '', 1000, 100), keepalived('keepalived VRRPv3, advert_int 0.1', '', 3, 0.1), ucarp('ucarp, advbase 1', '', 1)];
    for (const impl of costImpls.filter((i) => !o.only || i.name.includes(o.only))) {
      for (const n of o.costNodes) {
        const c = await measureCost(impl, n, o.steadyCost);
        costs.push(c);
        const later = c.steady ? `; after ${COST_STEADY_MS / 60_000} min ${c.steady.rssMb} MB, ${c.steady.cpuPercent}% (busiest ${c.steady.cpuMaxPercent}%)` : '';
        log(`cost ${c.impl}, ${n} nodes: ${c.rssMb} MB RSS, ${c.cpuPercent}% CPU per node (busiest ${c.cpuMaxPercent}%)${later}, one holder after ${fmt(c.settleMs)} ms`);
      }
    }
  }
  const addressCosts: Cost[] = [];
  if (o.addressCost && (!o.only || 'floatip'.includes(o.only))) {
    for (const count of [1, 10]) {
      const c = await measureCost(floatipAddresses(count), 2, false);
      addressCosts.push(c);
      log(`cost ${c.impl}, 2 nodes: ${c.rssMb} MB RSS, ${c.cpuPercent}% CPU per node (busiest ${c.cpuMaxPercent}%), one holder after ${fmt(c.settleMs)} ms`);
    }
  }
  const chaosRuns: Chaos[] = [];
  if (o.chaosSeconds > 0) {
    for (const impl of IMPLEMENTATIONS.filter((i) => i.group === '~360 ms' && (!o.only || i.name.includes(o.only)))) {
      const c = await chaos(impl, o.chaosSeconds);
      chaosRuns.push(c);
      log(`chaos ${c.impl}, ${c.seconds} s, ${c.faults} faults: two holders ${c.twoHoldersMs} ms in all, longest ${c.longestMs} ms (after ${c.longestAfter || 'none'}), no holder ${c.noHolderMs} ms in all`);
    }
  }
  const soaks: Soak[] = [];
  for (const timers of o.soakMinutes > 0 ? SOAKS : []) {
    const what = `timeout ${timers.timeoutMs} ms${timers.hostTimeoutMs ? `, host timeout ${timers.hostTimeoutMs} ms` : ''}`;
    log(`soak: ${o.soakMinutes} min, ${what}, master CPU saturated, 5% loss and 20 ms jitter on its link`);
    const r = await soak(o.soakMinutes, timers);
    soaks.push(r);
    log(`soak (${what}): ${r.falseFailovers} false failovers, worst client gap ${r.worstClientGapMs} ms`);
  }
  const doc = renderDoc({ o, started, results, pooled, rows, costs, addressCosts, soaks, startup, chaos: chaosRuns, svgs, lineup: IMPLEMENTATIONS });
  writeFileSync(join(o.out, 'benchmarks.md'), doc);
  log(`wrote ${join(o.out, 'benchmarks.md')} and ${svgs.length} timelines`);
}

process.on('unhandledRejection', (err) => log(`ignored: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`));

main().catch((err: unknown) => {
  console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
