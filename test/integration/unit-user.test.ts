import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, NetnsLab, asUserWithNetCaps, removeStaleLabs } from '../../scripts/lab/netns-lab.js';
import { integrationSkipReason } from '../support/integration-gate.js';
import { NotifyListener } from '../support/notify-listener.js';

const NOBODY = 65534;
const SETTLE_MS = 8000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const skip = integrationSkipReason();

/** The CLI as uid 65534 can read it: this checkout, or a copy of its build where the checkout is private. */
function cliFor(uid: number, scratch: string): string {
  const readable = spawnSync(asUserWithNetCaps(uid)[0]!, [...asUserWithNetCaps(uid).slice(1), 'test', '-r', CLI]);
  if (readable.status === 0) return CLI;
  const root = join(CLI, '..', '..', '..');
  for (const part of [join('dist', 'bin'), 'node_modules', 'package.json']) cpSync(join(root, part), join(scratch, part), { recursive: true });
  return join(scratch, 'dist', 'bin', 'floatip.mjs');
}

const pings = (l: NotifyListener, from: number, to = Date.now()): number => l.messages.filter((m) => m.text === 'WATCHDOG=1' && m.at >= from && m.at < to).length;

describe('the daemon as its unit runs it: a user of its own with two capabilities, Type=notify and a watchdog', { skip }, () => {
  let lab: NetnsLab;
  let listener: NotifyListener;
  let scratch: string;
  let cli: string;
  let auth: string;
  before(async () => {
    await removeStaleLabs();
    lab = await NetnsLab.create(2);
    listener = await NotifyListener.start(lab.dir);
    scratch = mkdtempSync(join(tmpdir(), 'floatip-app-'));
    spawnSync('chmod', ['755', scratch]);
    cli = cliFor(NOBODY, scratch);
    // the unprivileged node's secret is its own (chown floatip in the README); root's copy is root's
    const mine = join(lab.dir, 'secret-nobody');
    writeFileSync(mine, 'unit-user-secret-0123456789\n', { mode: 0o600 });
    chownSync(mine, NOBODY, NOBODY);
    writeFileSync(join(lab.dir, 'secret-root'), 'unit-user-secret-0123456789\n', { mode: 0o600 });
    auth = '  auth:\n    secret_file: ';
  });
  after(async () => {
    listener?.stop();
    await lab?.destroy();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('is ready once elected, pings from its event loop, and binds, hands over and releases as uid 65534', async () => {
    const [n1, n2] = lab.pair();
    const env = { NOTIFY_SOCKET: listener.path, WATCHDOG_USEC: '600000' };
    const started = Date.now();
    const d1 = n1.start({ runAs: NOBODY, cli, env, extra: `${auth}${join(lab.dir, 'secret-nobody')}` });
    await lab.waitForHolders(['node1'], SETTLE_MS);
    const ready = await listener.waitFor(/^READY=1/, 3000);
    assert.match(ready, /^READY=1\nSTATUS=MASTER for 198\.18\.0\.100: /);
    const readyAt = listener.messages.find((m) => m.text === ready)!.at;
    // the listen window is 500 ms (the lab's 100 ms heartbeat): READY=1 comes only once it is over
    assert.ok(readyAt - started >= 450, `READY=1 ${readyAt - started} ms after start: before the listen window was over`);
    assert.match(d1.output, /heartbeats signed/);

    // pings every 300 ms; a stopped event loop sends none, which is what makes systemd restart it
    await sleep(1500);
    assert.ok(pings(listener, Date.now() - 1500) >= 3, `pings: ${pings(listener, Date.now() - 1500)}`);
    d1.kill('SIGSTOP');
    await sleep(300);
    const frozenAt = Date.now();
    await sleep(900);
    assert.equal(pings(listener, frozenAt), 0, 'a stopped daemon pinged the watchdog');
    d1.kill('SIGCONT');
    await sleep(900);
    assert.ok(pings(listener, frozenAt) >= 1, 'no ping after SIGCONT');

    const d2 = n2.start({ extra: `${auth}${join(lab.dir, 'secret-root')}` });
    await lab.waitForLog(d2, /INIT -> BACKUP/, SETTLE_MS);
    // the unprivileged master's SIGTERM handover: it unbinds (CAP_NET_ADMIN) and the root node binds
    d1.kill('SIGTERM');
    assert.equal(await d1.exited, 0, d1.output);
    await lab.waitForHolders(['node2'], 3000);
    assert.ok(listener.texts().some((t) => t.startsWith('STOPPING=1\nSTATUS=stopping: SIGTERM')), JSON.stringify(listener.texts()));

    // back as a backup; then the root master is killed and uid 65534 takes over, announces and holds
    const d1b = n1.start({ runAs: NOBODY, cli, env, extra: `${auth}${join(lab.dir, 'secret-nobody')}` });
    await lab.waitForLog(d1b, /INIT -> BACKUP/, SETTLE_MS);
    await listener.waitFor(/^READY=1\nSTATUS=BACKUP/, 3000);
    d2.kill('SIGKILL');
    await lab.waitForHolders(['node1'], 5000);
    await lab.waitForLog(d1b, /BACKUP -> MASTER/, 3000);

    // kill -9 of the unprivileged master: its release guard (run as uid 65534) removes the address
    d1b.kill('SIGKILL');
    await d1b.exited;
    await lab.waitForHolders([], 3000);
    // and ExecStopPost's `floatip release` as that user finds nothing to do, exit 0
    const release = spawnSync('ip', ['netns', 'exec', n1.ns, ...asUserWithNetCaps(NOBODY), process.execPath, cli, 'release', '--config', join(lab.dir, 'node1.yml')], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(release.status, 0, `${release.stdout}${release.stderr}`);
  });
});
