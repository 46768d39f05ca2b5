// The results table: one row per implementation and scenario, medians and maxima over the runs.
import { type Implementation } from './implementations.js';
import { SCENARIO_LABEL, SILENT_MASTER, type RunResult, type Scenario } from './scenarios.js';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : Math.round((s[s.length / 2 - 1]! + s[s.length / 2]!) / 2);
};
export const fmt = (n: number | null | undefined): string => (n === null || n === undefined || Number.isNaN(n) ? '–' : String(Math.round(n)));

export interface Row {
  impl: Implementation;
  scenario: Scenario;
  runs: RunResult[];
}

function summarize(row: Row): Record<string, string> {
  const r = row.runs;
  const vals = (f: (x: RunResult) => number | null): number[] => r.map(f).filter((x): x is number => x !== null);
  return {
    outageMedian: fmt(median(vals((x) => x.outageMs))),
    outageMax: fmt(Math.max(...vals((x) => x.outageMs))),
    other: fmt(median(vals((x) => x.otherAnswersMs))),
    healGap: row.scenario === 'partition' || row.scenario === 'rejoin' ? `${fmt(median(vals((x) => x.healGapMs)))} / ${fmt(Math.max(...vals((x) => x.healGapMs)))}` : '–',
    twoHolders: row.scenario === 'partition' || row.scenario === 'rejoin' ? `${fmt(median(vals((x) => x.twoHoldersMs)))} / ${fmt(Math.max(...vals((x) => x.twoHoldersMs)))}` : '–',
    twoDuring: row.scenario === 'partition' ? `${fmt(median(vals((x) => x.twoHoldersDuringMs)))} / ${fmt(Math.max(...vals((x) => x.twoHoldersDuringMs)))}` : '–',
    unwanted: String(r.reduce((n, x) => n + x.unwantedMoves, 0)),
  };
}

export function table(rows: Row[]): string {
  const head =
    '| budget | implementation | scenario | client outage median (ms) | max (ms) | another node answers after (ms, median) | after heal/rejoin: gap median / max (ms) | two holders during the partition median / max (ms) | two holders after heal median / max (ms) | unwanted moves |';
  const sep = '|---|---|---|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((row) => {
    const s = summarize(row);
    return `| ${row.impl.group} | ${row.impl.name} | ${SCENARIO_LABEL[row.scenario]} | ${s.outageMedian} | ${s.outageMax} | ${s.other} | ${s.healGap} | ${s.twoDuring} | ${s.twoHolders} | ${s.unwanted} |`;
  });
  return [head, sep, ...lines].join('\n');
}

/** The client's probe period: the resolution of every outage figure. */
export const PROBE_PERIOD_MS = 10;

export interface PooledRow {
  readonly group: string;
  readonly impl: string;
  readonly runs: number;
  readonly medianMs: number;
}

/** Per budget and implementation: the median client outage over every run of the silent-master scenarios. */
export function pooledSilentMaster(rows: Row[]): PooledRow[] {
  const by = new Map<string, { group: string; impl: string; outages: number[] }>();
  for (const row of rows.filter((r) => SILENT_MASTER.includes(r.scenario) && r.impl.group)) {
    const key = `${row.impl.group}|${row.impl.name}`;
    const entry = by.get(key) ?? { group: row.impl.group, impl: row.impl.name, outages: [] };
    entry.outages.push(...row.runs.map((r) => r.outageMs));
    by.set(key, entry);
  }
  return [...by.values()].filter((e) => e.outages.length > 0).map((e) => ({ group: e.group, impl: e.impl, runs: e.outages.length, medianMs: median(e.outages) }));
}

/** The pooled medians, each floatip row against keepalived's at its budget: within one probe period, or not. */
export function pooledTable(pooled: PooledRow[]): string {
  const head = `| budget | implementation | runs (${SILENT_MASTER.join(', ')}) | pooled median outage (ms) | against keepalived at this budget |`;
  const lines = pooled.map((p) => {
    const k = pooled.find((q) => q.group === p.group && q.impl.startsWith('keepalived'));
    const verdict = !k || k === p ? '–' : `${p.medianMs - k.medianMs >= 0 ? '+' : ''}${p.medianMs - k.medianMs} ms (${p.medianMs - k.medianMs <= PROBE_PERIOD_MS ? 'within' : 'beyond'} the ${PROBE_PERIOD_MS} ms probe period)`;
    return `| ${p.group} | ${p.impl} | ${p.runs} | ${p.medianMs} | ${verdict} |`;
  });
  return [head, '|---|---|---:|---:|---|', ...lines].join('\n');
}
