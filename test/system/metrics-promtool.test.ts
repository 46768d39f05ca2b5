// `promtool check metrics` (Debian's prometheus package) on the exposition a busy node serves. No namespace, no root.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { PrometheusMetrics } from '../../src/infrastructure/index.js';

function promtool(input: string): { status: number | null; output: string; missing: boolean } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input, encoding: 'utf8', timeout: 30_000 });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim(), missing };
}

const installed = !promtool('').missing;
const inCi = process.env['CI'] === 'true';
// in CI a missing promtool is a failure, not a skip: the check would silently stop running
const skip = !installed && !inCi ? 'promtool not found (apt-get install prometheus); skipping' : false;

/** What a master that took over after a timeout, with one peer up and one gone, a check and a reload, serves. */
async function busyExposition(): Promise<string> {
  const m = new PrometheusMetrics();
  m.state('BACKUP', 100);
  m.transition('STOPPED', 'INIT', 'start');
  m.transition('INIT', 'BACKUP', 'master-alive');
  m.transition('BACKUP', 'MASTER', 'timeout');
  m.state('MASTER', 90);
  for (let i = 0; i < 50; i++) m.heartbeatSent();
  for (let i = 0; i < 40; i++) m.heartbeatReceived();
  m.heartbeatRejected('bad-mac');
  m.heartbeatRejected('replayed');
  m.takeover(12);
  m.takeover(480);
  m.arpAnnounced(3);
  m.addressConflict();
  m.checkResult('gateway', true);
  m.checkResult('upstream "dns"\\path', false);
  m.watchPeers(() => [
    { peer: '198.18.0.12', up: true },
    { peer: '198.18.0.13', up: false },
  ]);
  m.configReload(false);
  m.configReload(true);
  await new Promise((r) => setTimeout(r, 1100)); // one event-loop sample
  return m.registry.metrics();
}

describe('promtool check metrics', { skip }, () => {
  it("finds no problem in a busy node's /metrics", async () => {
    assert.ok(installed, 'promtool is not installed (CI=true): apt-get install prometheus');
    const text = await busyExposition();
    for (const series of ['floatip_build_info{version=', 'floatip_peer_up{peer="198.18.0.13"} 0', 'floatip_config_last_reload_successful 1', 'process_cpu_seconds_total', 'nodejs_gc_duration_seconds']) {
      assert.ok(text.includes(series), `${series} missing from the exposition`);
    }
    const r = promtool(text);
    assert.equal(r.status, 0, `promtool check metrics failed:\n${r.output}`);
    assert.equal(r.output, '', `promtool reported:\n${r.output}`);
  });

  it('the check itself fails on a problem (a gauge named like a counter)', () => {
    assert.ok(installed, 'promtool is not installed (CI=true): apt-get install prometheus');
    const r = promtool('# HELP bad_total x\n# TYPE bad_total gauge\nbad_total 1\n');
    assert.notEqual(r.status, 0);
    assert.match(r.output, /_total/);
  });
});
