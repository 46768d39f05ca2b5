import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * How often the event-loop delay is sampled. prom-client's default, 10 ms, is a timer that wakes the daemon 100
 * times a second, and wake-ups are most of an idle daemon's CPU; a blocked loop of a second or more is always seen.
 */
export const EVENT_LOOP_SAMPLE_MS = 1000;
/** prom-client's own sampler is set this far apart, so it never wakes the daemon; ours replaces its gauges. */
const NEVER_MS = 2 ** 31 - 1;

/**
 * Gauges that do not pass `promtool check metrics` (a gauge named `_total`); each is the sum of the same metric
 * by type (`nodejs_active_handles{type}` and so on), so nothing is lost.
 */
const LINT_FAILURES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

const LAG_STATS: readonly [suffix: string, help: string, read: (h: IntervalHistogram) => number][] = [
  ['min', 'The minimum recorded event loop delay.', (h) => h.min],
  ['max', 'The maximum recorded event loop delay.', (h) => h.max],
  ['mean', 'The mean of the recorded event loop delays.', (h) => h.mean],
  ['stddev', 'The standard deviation of the recorded event loop delays.', (h) => h.stddev],
  ['p50', 'The 50th percentile of the recorded event loop delays.', (h) => h.percentile(50)],
  ['p90', 'The 90th percentile of the recorded event loop delays.', (h) => h.percentile(90)],
  ['p99', 'The 99th percentile of the recorded event loop delays.', (h) => h.percentile(99)],
];

let shared: Registry | null = null;

/**
 * The process metrics prom-client collects by default (CPU, memory, handles, event loop, GC), collected once per
 * process in a registry of their own: each node's registry lists the same metric objects, so a second node in one
 * process (a reload that restarts the node, an embedder, tests) neither registers them twice nor adds another
 * sampler and GC observer.
 */
export function processMetrics(): Registry {
  if (shared) return shared;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: NEVER_MS });
  for (const name of LINT_FAILURES) registry.removeSingleMetric(name);
  for (const [suffix] of LAG_STATS) registry.removeSingleMetric(`nodejs_eventloop_lag_${suffix}_seconds`);
  addEventLoopDelay(registry);
  shared = registry;
  return registry;
}

/**
 * The event-loop delay gauges under prom-client's names, sampled every EVENT_LOOP_SAMPLE_MS: how late the sampler's
 * timer fired (its period taken off), since the last scrape that had a sample. A scrape with none since keeps the
 * values, rather than report a minimum of 2^63 ns and a mean of NaN as an empty histogram does.
 */
function addEventLoopDelay(registry: Registry): void {
  const histogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_SAMPLE_MS });
  histogram.enable();
  const period = EVENT_LOOP_SAMPLE_MS * 1e6;
  const gauges: { suffix: string; gauge: Gauge; read: (h: IntervalHistogram) => number }[] = [];
  // the first gauge's collect sets them all, before any is read
  const collect = (): void => {
    if (histogram.count === 0) return;
    for (const { suffix, gauge, read } of gauges) {
      const ns = read(histogram);
      gauge.set(suffix === 'stddev' ? ns / 1e9 : Math.max(0, ns - period) / 1e9);
    }
    histogram.reset();
  };
  for (const [suffix, help, read] of LAG_STATS) {
    const gauge = new Gauge({ name: `nodejs_eventloop_lag_${suffix}_seconds`, help, registers: [registry], ...(gauges.length === 0 ? { collect } : {}) });
    gauges.push({ suffix, gauge, read });
  }
}
