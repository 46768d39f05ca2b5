import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { NotifyListener } from '../support/notify-listener.js';

const run = promisify(execFile);
const CLI = join('dist', 'bin', 'floatip.mjs');
const UNIT = join('packaging', 'floatip.service');
const mustRun = process.env['CI'] === 'true';

async function has(program: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${program}`]).then(
    () => true,
    () => false,
  );
}

describe('the systemd unit and the notify protocol', () => {
  let dir: string;
  let listener: NotifyListener | null = null;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'floatip-unit-'));
  });
  after(() => {
    listener?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the unit scores 3.0 or less in systemd-analyze security', async (t) => {
    if (!(await has('systemd-analyze'))) {
      if (mustRun) assert.fail('systemd-analyze is missing (Debian package systemd)');
      return t.skip('systemd-analyze is not installed');
    }
    const { stdout } = await run('systemd-analyze', ['security', '--offline=true', '--no-pager', UNIT]).catch((e: { stdout: string }) => e);
    const score = /Overall exposure level for floatip\.service: ([\d.]+)/.exec(stdout);
    assert.ok(score, stdout);
    assert.ok(Number(score[1]) <= 3, `exposure ${score[1]}:\n${stdout}`);
  });

  it('a disabled daemon says READY=1 through systemd-notify before it exits 0, so Type=notify reads a clean stop', async (t) => {
    if (!(await has('systemd-notify')) || !(await has('python3'))) {
      if (mustRun) assert.fail('systemd-notify (package systemd) and python3 are needed');
      return t.skip('systemd-notify or python3 missing');
    }
    listener = await NotifyListener.start(dir);
    const config = join(dir, 'floatip.yml');
    writeFileSync(config, 'floating_ip:\n  enabled: false\n  ip: 198.18.0.100\n', { mode: 0o644 });
    const { stdout } = await run(process.execPath, [CLI, 'run', `--config=${config}`, '--log-format=text'], {
      env: { ...process.env, NOTIFY_SOCKET: listener.path, WATCHDOG_USEC: '2000000' },
      timeout: 15_000,
    });
    assert.match(stdout, /disabled/);
    const ready = await listener.waitFor(/READY=1/, 2000);
    assert.match(ready, /^READY=1\nSTATUS=disabled/);
  });
});
