import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { register as globalRegister } from 'prom-client';
import type { PeerLiveness } from '../../../src/application/index.js';
import { EVENT_LOOP_SAMPLE_MS, PrometheusMetrics, packageVersion } from '../../../src/infrastructure/index.js';

/** The value of one series in an exposition, or undefined when it is not there. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Prometheus metrics: build, process, peers, reload', () => {
  it('floatip_build_info carries the package version', async () => {
    const text = await new PrometheusMetrics().registry.metrics();
    assert.equal(valueOf(text, `floatip_build_info{version="${packageVersion()}"}`), 1);
    assert.notEqual(packageVersion(), 'unknown');
    assert.equal(valueOf(await new PrometheusMetrics({ version: '9.9.9' }).registry.metrics(), 'floatip_build_info{version="9.9.9"}'), 1);
  });

  it("the default process metrics, in each node's own registry; two in one process neither throw nor touch the global one", async () => {
    const a = new PrometheusMetrics();
    const b = new PrometheusMetrics();
    for (const m of [a, b]) {
      const text = await m.registry.metrics();
      for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
        assert.match(text, new RegExp(`^${name} `, 'm'), `${name} missing`);
      }
      assert.match(text, /^# TYPE nodejs_gc_duration_seconds histogram$/m);
      // each once
      assert.equal(text.match(/^# TYPE process_cpu_user_seconds_total /gm)?.length, 1);
    }
    assert.equal(globalRegister.getSingleMetric('process_cpu_user_seconds_total'), undefined);
    assert.equal(globalRegister.getSingleMetric('floatip_build_info'), undefined);
  });

  it('the event-loop delay is sane from the first scrape (no NaN, no 2^63 ns minimum) and sampled without waking the daemon often', async () => {
    const text = await new PrometheusMetrics().registry.metrics();
    assert.doesNotMatch(text, /\bNa[Nn]\b/);
    for (const stat of ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99']) {
      const v = valueOf(text, `nodejs_eventloop_lag_${stat}_seconds`);
      assert.ok(v !== undefined && v >= 0 && v < 60, `nodejs_eventloop_lag_${stat}_seconds is ${v}`);
    }
    assert.ok(EVENT_LOOP_SAMPLE_MS >= 1000, 'a sampler more often than once a second costs an idle daemon a wake-up each time');
  });

  it('no gauge named like a counter (promtool: non-counter metrics should not have "_total" suffix)', async () => {
    const text = await new PrometheusMetrics().registry.metrics();
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)];
    assert.ok(types.length > 20);
    for (const [, name, type] of types) if (name!.endsWith('_total')) assert.equal(type, 'counter', name);
  });

  it('floatip_peer_up: 1 or 0 per peer as the node sees it at scrape time; a forgotten peer has no series', async () => {
    const m = new PrometheusMetrics();
    let peers: PeerLiveness[] = [
      { peer: '198.18.0.12', up: true },
      { peer: '198.18.0.13', up: false },
    ];
    assert.doesNotMatch(await m.registry.metrics(), /^floatip_peer_up\{/m, 'no series before the node says where its peers are');
    m.watchPeers(() => peers);
    let text = await m.registry.metrics();
    assert.equal(valueOf(text, 'floatip_peer_up{peer="198.18.0.12"}'), 1);
    assert.equal(valueOf(text, 'floatip_peer_up{peer="198.18.0.13"}'), 0);
    peers = [{ peer: '198.18.0.12', up: false }];
    text = await m.registry.metrics();
    assert.equal(valueOf(text, 'floatip_peer_up{peer="198.18.0.12"}'), 0);
    assert.equal(valueOf(text, 'floatip_peer_up{peer="198.18.0.13"}'), undefined);
  });

  it('floatip_peer_up is bounded like the peer table (64)', async () => {
    const m = new PrometheusMetrics();
    m.watchPeers(() => Array.from({ length: 500 }, (_, i) => ({ peer: `198.18.${i >> 8}.${i & 255}`, up: true })));
    const text = await m.registry.metrics();
    assert.equal(text.split('\n').filter((l) => l.startsWith('floatip_peer_up{')).length, 64);
  });

  it('the last reload: successful at start, 0 after a refused one (timestamp kept), 1 and a new timestamp after an applied one', async () => {
    let now = 1_700_000_000_500;
    const m = new PrometheusMetrics({ now: () => now });
    let text = await m.registry.metrics();
    assert.equal(valueOf(text, 'floatip_config_last_reload_successful'), 1);
    assert.equal(valueOf(text, 'floatip_config_last_reload_success_timestamp_seconds'), 1_700_000_000);
    now += 60_000;
    m.configReload(false);
    text = await m.registry.metrics();
    assert.equal(valueOf(text, 'floatip_config_last_reload_successful'), 0);
    assert.equal(valueOf(text, 'floatip_config_last_reload_success_timestamp_seconds'), 1_700_000_000);
    now += 60_000;
    m.configReload(true);
    text = await m.registry.metrics();
    assert.equal(valueOf(text, 'floatip_config_last_reload_successful'), 1);
    assert.equal(valueOf(text, 'floatip_config_last_reload_success_timestamp_seconds'), 1_700_000_120);
  });
});

describe('Prometheus metrics of several addresses: an address label', () => {
  it('labels each address\'s series, and forgets a removed address\'s without touching the others\'', async () => {
    const m = new PrometheusMetrics({ perAddress: true });
    const a = m.forAddress('198.18.0.234');
    const b = m.forAddress('fd00:198:18::234');
    a.state('MASTER', 150);
    b.state('BACKUP', 50);
    a.transition('BACKUP', 'MASTER', 'elected');
    b.watchPeers(() => [{ peer: '198.18.0.12', up: true }]);
    let text = await m.registry.metrics();
    assert.equal(valueOf(text, 'floatip_state{address="198.18.0.234",state="MASTER"}'), 1);
    assert.equal(valueOf(text, 'floatip_state{address="fd00:198:18::234",state="BACKUP"}'), 1);
    assert.equal(valueOf(text, 'floatip_effective_priority{address="fd00:198:18::234"}'), 50);
    assert.equal(valueOf(text, 'floatip_peer_up{address="fd00:198:18::234",peer="198.18.0.12"}'), 1);
    assert.match(text, /floatip_transitions_total\{address="198\.18\.0\.234",from="BACKUP",to="MASTER",cause="elected"\} 1/);
    m.forgetAddress('fd00:198:18::234');
    text = await m.registry.metrics();
    assert.equal(valueOf(text, 'floatip_state{address="fd00:198:18::234",state="BACKUP"}'), undefined);
    assert.equal(valueOf(text, 'floatip_peer_up{address="fd00:198:18::234",peer="198.18.0.12"}'), undefined);
    assert.equal(valueOf(text, 'floatip_state{address="198.18.0.234",state="MASTER"}'), 1, 'the other address keeps its series');
  });
});
