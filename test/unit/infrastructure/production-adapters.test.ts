import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type winston from 'winston';
import {
  ConfigError,
  FrameAuthenticator,
  HttpStatusServer,
  LocalHealthProbe,
  ProcessNotifier,
  PrometheusMetrics,
  TcpEchoPeerTransport,
  encodeFrame,
  fetchLocal,
  logFormat,
  readSecretFile,
} from '../../../src/infrastructure/index.js';
import { aHeartbeat, aSettings } from '../../support/builders.js';
import { RecordingLogger } from '../../support/fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'floatip-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail('timed out');
    await wait(10);
  }
}

describe('notify hooks', () => {
  const event = { state: 'MASTER' as const, address: '198.18.0.100', interfaceName: 'eth0', reason: 'no heartbeat from 198.18.0.12 for 1000 ms' };

  it('runs the hook without a shell, with state, address, interface and reason as arguments', async () => {
    const out = join(dir, 'hook-args');
    const script = join(dir, 'hook.sh');
    writeFileSync(script, `#!/bin/sh\nprintf '%s|' "$@" > ${out}\n`);
    chmodSync(script, 0o755);
    const logger = new RecordingLogger();
    new ProcessNotifier(logger).notify(event, { onMaster: [script, 'extra arg; rm -rf /'], timeoutMs: 5000 });
    await until(() => logger.has('done'));
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(out, 'utf8'), 'extra arg; rm -rf /|MASTER|198.18.0.100|eth0|no heartbeat from 198.18.0.12 for 1000 ms|');
  });

  it('never waits for a hook, and kills one that hangs at its timeout', async () => {
    const logger = new RecordingLogger();
    const t0 = Date.now();
    new ProcessNotifier(logger).notify(event, { onMaster: ['sh', '-c', 'sleep 30', 'hook'], timeoutMs: 300 });
    assert.ok(Date.now() - t0 < 100, 'notify returned at once');
    await until(() => logger.has('killed after 300 ms'));
    assert.ok(Date.now() - t0 < 3000);
  });

  it('logs a failing hook and one that cannot start', async () => {
    const logger = new RecordingLogger();
    new ProcessNotifier(logger).notify({ ...event, state: 'FAULT' }, { onFault: ['false'], command: ['/nonexistent/hook'], timeoutMs: 1000 });
    await until(() => logger.has('hook false for FAULT failed') && logger.has('/nonexistent/hook'));
  });
});

describe('Prometheus metrics and the status endpoint', () => {
  it('/metrics is valid Prometheus text and /status is JSON', async () => {
    const metrics = new PrometheusMetrics();
    metrics.state('MASTER', 90);
    metrics.transition('BACKUP', 'MASTER', 'timeout');
    metrics.heartbeatSent();
    metrics.takeover(12);
    metrics.arpAnnounced(3);
    metrics.checkResult('gateway', false);
    const server = new HttpStatusServer(
      () => ({ state: 'MASTER', counters: metrics.snapshot() }),
      async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
    );
    const port = 20000 + Math.floor(Math.random() * 20000);
    await server.start('127.0.0.1', port);
    try {
      const text = await fetchLocal('127.0.0.1', port, '/metrics');
      for (const line of text.split('\n').filter(Boolean)) {
        assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{(\w+="[^"]*",?)+\})? -?[\d.e+-]+|\w+(\{(\w+="[^"]*",?)+\})? (NaN|\+Inf))$/, `not Prometheus text: ${line}`);
      }
      assert.match(text, /floatip_state\{state="MASTER"\} 1/);
      assert.match(text, /floatip_transitions_total\{from="BACKUP",to="MASTER",cause="timeout"\} 1/);
      assert.match(text, /floatip_gratuitous_arp_sent_total 3/);
      assert.match(text, /floatip_check_healthy\{check="gateway"\} 0/);
      const status = JSON.parse(await fetchLocal('127.0.0.1', port, '/status')) as { state: string; counters: { heartbeatsSent: number } };
      assert.equal(status.state, 'MASTER');
      assert.equal(status.counters.heartbeatsSent, 1);
      await assert.rejects(fetchLocal('127.0.0.1', port, '/nope'), /HTTP 404/);
    } finally {
      await server.stop();
    }
  });

  it('a refused heartbeat is counted under its reason, as the transport names it (bad-mac, unsigned, stale)', async () => {
    // the transport's own reason labels, made from the authenticator's reasons: a real refusal, not a copy of the rule
    const metrics = new PrometheusMetrics();
    const port = 20000 + Math.floor(Math.random() * 20000);
    const base = aSettings({ id: '127.0.0.1', intervalMs: 100, timeoutMs: 1000 });
    const settings = { ...base, echo: { ...base.echo, port }, multicast: null, peers: [] };
    const key = Buffer.from('0123456789abcdef-key-a');
    const transport = new TcpEchoPeerTransport(settings, new RecordingLogger(), new FrameAuthenticator([key], 30_000), metrics);
    await transport.start({ onHeartbeat: () => undefined, onPeerLost: () => undefined });
    const refusedOnce = (frame: Buffer): Promise<void> =>
      new Promise((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.7' }, () => s.write(frame));
        s.on('error', reject);
        s.once('close', () => resolve());
      });
    try {
      const from = { id: '127.0.0.7' };
      await refusedOnce(encodeFrame(aHeartbeat(from), { key: Buffer.from('0123456789abcdef-key-b'), boot: 1, now: Date.now }));
      await refusedOnce(encodeFrame(aHeartbeat(from)));
      await refusedOnce(encodeFrame(aHeartbeat(from), { key, boot: 1, now: () => Date.now() - 600_000 }));
      const text = await metrics.registry.metrics();
      for (const reason of ['bad-mac', 'unsigned', 'stale']) assert.match(text, new RegExp(`floatip_heartbeats_rejected_total\\{reason="${reason}"\\} 1`));
    } finally {
      await transport.stop();
    }
  });

  it('a taken status port is PortBusyError (exit 3), not a precondition error', async () => {
    const a = new HttpStatusServer(() => ({}), async () => ({ contentType: 'text/plain', body: '' }));
    const b = new HttpStatusServer(() => ({}), async () => ({ contentType: 'text/plain', body: '' }));
    const port = 20000 + Math.floor(Math.random() * 20000);
    await a.start('127.0.0.1', port);
    try {
      await assert.rejects(b.start('127.0.0.1', port), /status\.listen 127\.0\.0\.1:\d+ \(TCP\) is already in use/);
    } finally {
      await a.stop();
    }
  });
});

describe('local health checks', () => {
  const probe = new LocalHealthProbe(null);

  it('tcp: a listening port passes, a closed one fails', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    assert.equal((await probe.check({ kind: 'tcp', host: '127.0.0.1', port }, 500)).ok, true);
    server.close();
    await wait(50);
    const down = await probe.check({ kind: 'tcp', host: '127.0.0.1', port }, 500);
    assert.equal(down.ok, false);
    assert.match(down.detail, /ECONNREFUSED/);
  });

  it('http: 2xx passes, anything else fails', async () => {
    let code = 200;
    const server = createHttpServer((_req, res) => res.writeHead(code).end()).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/health`;
    assert.equal((await probe.check({ kind: 'http', url }, 500)).ok, true);
    code = 503;
    const failed = await probe.check({ kind: 'http', url }, 500);
    assert.deepEqual(failed, { ok: false, detail: `GET ${url}: 503` });
    server.close();
  });

  it('command: exit 0 passes; a non-zero exit or a hang fails', async () => {
    assert.equal((await probe.check({ kind: 'command', argv: ['true'] }, 1000)).ok, true);
    assert.equal((await probe.check({ kind: 'command', argv: ['false'] }, 1000)).ok, false);
    const hung = await probe.check({ kind: 'command', argv: ['sleep', '5'] }, 200);
    assert.deepEqual(hung, { ok: false, detail: 'sleep did not finish within 200 ms' });
  });
});

describe('secret files', () => {
  it('refuses a file others can read, and names the fix', () => {
    const f = join(dir, 'secret-open');
    writeFileSync(f, 'a-long-enough-secret-1\n');
    chmodSync(f, 0o644);
    assert.throws(() => readSecretFile(f), (e: unknown) => e instanceof ConfigError && /readable by others \(mode 0644\): run chmod 600/.test(e.message));
  });
  it('reads one secret per line from a private file', () => {
    const f = join(dir, 'secret-ok');
    writeFileSync(f, '# rotated 2026-11\nnew-secret-0123456789\nold-secret-0123456789\n\n');
    chmodSync(f, 0o600);
    assert.deepEqual(readSecretFile(f), ['new-secret-0123456789', 'old-secret-0123456789']);
  });
  it('refuses short secrets and empty files', () => {
    const f = join(dir, 'secret-short');
    writeFileSync(f, 'short\n');
    chmodSync(f, 0o600);
    assert.throws(() => readSecretFile(f), /shorter than 16 characters/);
    writeFileSync(f, '# nothing\n');
    assert.throws(() => readSecretFile(f), /has no secret/);
  });
});

describe('log format', () => {
  const render = (format: Parameters<typeof logFormat>[0], tty: boolean): string => {
    const info = logFormat(format, tty).transform({ level: 'info', message: 'BACKUP -> MASTER: x', [Symbol.for('level')]: 'info' } as winston.Logform.TransformableInfo);
    return String((info as Record<symbol, unknown>)[Symbol.for('message')]);
  };
  it('JSON when stdout is not a terminal, text on a terminal', () => {
    assert.equal((JSON.parse(render('auto', false)) as { message: string }).message, 'BACKUP -> MASTER: x');
    assert.match(render('auto', true), /^\S+ info {2}BACKUP -> MASTER: x$/);
    assert.match(render('text', false), /info {2}BACKUP/);
  });
});
