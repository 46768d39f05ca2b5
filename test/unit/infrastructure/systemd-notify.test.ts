import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SystemdNotifyServiceManager, notifySettings } from '../../../src/infrastructure/index.js';
import { RecordingLogger } from '../../support/fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'floatip-notify-'));
const log = join(dir, 'sent');
// Stands in for systemd-notify: records each call's socket and assignments, one call per line.
const fake = join(dir, 'fake-notify');
writeFileSync(fake, `#!/bin/sh\nsleep 0.05\nprintf '%s|' "$NOTIFY_SOCKET" "$@" >> ${log}\necho >> ${log}\n`);
chmodSync(fake, 0o755);
const sent = (): string[] => readFileSync(log, 'utf8').split('\n').filter(Boolean);
const env = { NOTIFY_SOCKET: '/run/systemd/notify' };

describe('systemd notify adapter', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the watchdog period from WATCHDOG_USEC, for this process only, and nothing without a socket', () => {
    assert.deepEqual(notifySettings({}), { socket: null, watchdogEveryMs: null });
    assert.deepEqual(notifySettings({ WATCHDOG_USEC: '20000000' }), { socket: null, watchdogEveryMs: null });
    assert.equal(notifySettings({ ...env, WATCHDOG_USEC: '20000000' }).watchdogEveryMs, 10_000);
    assert.equal(notifySettings({ ...env, WATCHDOG_USEC: '20000000', WATCHDOG_PID: String(process.pid) }).watchdogEveryMs, 10_000);
    assert.equal(notifySettings({ ...env, WATCHDOG_USEC: '20000000', WATCHDOG_PID: '1' }).watchdogEveryMs, null);
    for (const bad of ['', 'soon', '-5', '1e400', '0']) assert.equal(notifySettings({ ...env, WATCHDOG_USEC: bad }).watchdogEveryMs, null, bad);
  });

  it('sends in order, one at a time, skips a status overtaken while waiting, and keeps each status on one line', async () => {
    writeFileSync(log, '');
    const manager = new SystemdNotifyServiceManager(new RecordingLogger(), env, fake);
    manager.ready('BACKUP for 198.18.0.100: joined');
    manager.status('MASTER for 198.18.0.100: one');
    manager.status('MASTER for 198.18.0.100: two\nREADY=1');
    manager.stopping('stopping: SIGTERM received');
    await manager.flush();
    assert.deepEqual(sent(), [
      '/run/systemd/notify|READY=1|STATUS=BACKUP for 198.18.0.100: joined|',
      '/run/systemd/notify|STATUS=MASTER for 198.18.0.100: two READY=1|',
      '/run/systemd/notify|STOPPING=1|STATUS=stopping: SIGTERM received|',
    ]);
  });

  it('pings the watchdog at half its deadline from the event loop, and stops when told', async () => {
    writeFileSync(log, '');
    const manager = new SystemdNotifyServiceManager(new RecordingLogger(), { ...env, WATCHDOG_USEC: '400000' }, fake);
    assert.equal(manager.startWatchdog(), 200);
    await new Promise((r) => setTimeout(r, 700));
    manager.stopWatchdog();
    await manager.flush();
    const pings = sent().length;
    assert.ok(pings >= 3 && pings <= 5, `${pings} pings in 700 ms at 200 ms`);
    assert.ok(sent().every((l) => l === '/run/systemd/notify|WATCHDOG=1|'));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(sent().length, pings, 'no ping after stopWatchdog()');
  });

  it('does nothing without NOTIFY_SOCKET, and a missing systemd-notify is one warning, not one per ping', async () => {
    writeFileSync(log, '');
    const quiet = new SystemdNotifyServiceManager(new RecordingLogger(), {}, fake);
    quiet.ready('x');
    assert.equal(quiet.startWatchdog(), null);
    await quiet.flush();
    assert.deepEqual(sent(), []);

    const logger = new RecordingLogger();
    const missing = new SystemdNotifyServiceManager(logger, env, join(dir, 'no-such-program'));
    for (let i = 0; i < 5; i++) missing.status(`s${i}`);
    missing.ready('r');
    await missing.flush();
    const warnings = logger.lines.filter((l) => l.startsWith('warn '));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /no-such-program could not start/);
  });
});
