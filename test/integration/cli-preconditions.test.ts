import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NetnsLab, removeStaleLabs, sh, DIST, VIP } from '../../scripts/lab/netns-lab.js';
import { integrationSkipReason } from '../support/integration-gate.js';

const skip = integrationSkipReason();

describe('the CLI refuses bad input and touches nothing', { skip }, () => {
  let lab: NetnsLab;
  before(async () => {
    await removeStaleLabs();
    lab = await NetnsLab.create(1);
  });
  after(async () => lab?.destroy());

  const node = () => lab.nodes[0]!;

  it('bad config: run exits 2 naming the key, and nothing is bound', async () => {
    const file = node().writeConfig(node().config({ priority: 99999 }), 'bad.yml');
    const r = await node().cli(['run', '--config', file]);
    assert.equal(r.code, 2);
    assert.match(r.stdout + r.stderr, /floating_ip\.priority: 99999 is not allowed: must be an integer up to 65535/);
    assert.equal(await node().holdsVip(), false);
  });

  it('check prints the resolved settings and exits 0; on a bad file it exits 2', async () => {
    const good = node().writeConfig(node().config(), 'good.yml');
    const ok = await node().cli(['check', '--config', good]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`ip\\s+${VIP.replace(/\./g, '\\.')}`));
    assert.match(ok.stdout, /echo\.port\s+61111/);
    const bad = node().writeConfig('floating_ip:\n  enabled: true\n  echo:\n    port: 0\n', 'bad2.yml');
    const r = await node().cli(['check', '--config', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /floating_ip\.echo\.port: 0 is not allowed/);
  });

  const SECRET = 'integration-secret-not-to-be-shown';
  const withHook = (hook: string): string =>
    [
      `  auth:\n    secret: ${SECRET}`,
      '  checks:\n    - name: sh\n      command: [sh, -c, "exit 0"]\n      weight: 10',
      `  notify:\n    on_master: ${hook} master`,
    ].join('\n');
  const hooked = (hook: string): string => node().config({ extra: `${withHook(hook)}\n  witness: [198.18.0.1]` });

  it('check --config=FILE and -c FILE print auth (not the secret), checks, witnesses, hooks and the status listener', async () => {
    const file = node().writeConfig(hooked('/bin/true'), 'hooked.yml');
    for (const args of [['check', `--config=${file}`], ['check', '-c', file]]) {
      const r = await node().cli(args);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /auth\s+heartbeats signed \(HMAC-SHA256\), 1 secret inline in /);
      assert.match(r.stdout, /checks\[0\]\s+sh: command sh -c "exit 0"; every 2000 ms, timeout 1000 ms, fall 3, rise 2, weight 10/);
      assert.match(r.stdout, /witness\s+198\.18\.0\.1/);
      assert.match(r.stdout, /notify\.on_master\s+\/bin\/true master/);
      assert.match(r.stdout, /status\.listen\s+127\.0\.0\.1:61112/);
      assert.ok(!(r.stdout + r.stderr).includes(SECRET), 'the secret is shown');
    }
  });

  it('a hook that does not exist: check exits 2 naming it, run only warns and still becomes master', async () => {
    const file = node().writeConfig(hooked('/nonexistent/hook'), 'missing-hook.yml');
    const r = await node().cli(['check', '-c', file]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^floatip: floating_ip\.notify\.on_master: \/nonexistent\/hook does not exist$/m);
    const d = node().start({ extra: withHook('/nonexistent/hook') });
    await lab.waitFor('the daemon to be master', async () => d.output, (o) => o.includes('-> MASTER'), 8000);
    assert.match(d.output, /warn\s+floating_ip\.notify\.on_master: \/nonexistent\/hook does not exist: it will fail each time it is run/);
    d.kill('SIGTERM');
    assert.equal(await d.exited, 0);
  });

  it('an address already answering on the segment is never bound', async () => {
    // another host (the client namespace) already uses the floating address
    await sh('ip', ['-n', lab.clientNs, 'addr', 'add', `${VIP}/24`, 'dev', 'eth0']);
    const d = node().start();
    await lab.waitFor('the conflict to be reported', async () => d.output, (o) => /in use by another host \(ARP reply for 198\.18\.0\.100/.test(o), 8000);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await node().holdsVip(), false);
    d.kill('SIGTERM');
    assert.equal(await d.exited, 0);
    await sh('ip', ['-n', lab.clientNs, 'addr', 'del', `${VIP}/24`, 'dev', 'eth0']);
  });

  it("INFINI's own gateway.yml section, disabled: run and check exit 0, also with a value floatip cannot use", async () => {
    const infini = "floating_ip:\n  enabled: false\n  ip: ''\n  netmask: 255.255.255.0\n  interface: ''\n  local_ip: ''\n  priority: 0\n  peer_ip: 10.0.0.2\n  echo:\n    port: 61111\n";
    const file = node().writeConfig(infini, 'infini-off.yml');
    const run = await node().cli(['run', '--config', file, '--log-format', 'text']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /floating IP disabled/);
    const check = await node().cli(['check', '--config', file]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /priority\s+0 \(unranked/);
    assert.match(check.stdout, /warning: floating_ip\.auth is not set: heartbeats are not signed/);
    const broken = node().writeConfig(infini.replace("ip: ''", 'ip: 10.9.9.9').replace('priority: 0', 'priority: 1.5'), 'infini-broken.yml');
    // check logs nothing, so it takes no --log-format
    for (const args of [['run', '--log-format', 'text'], ['check']]) {
      const r = await node().cli([...args, '--config', broken]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /floating_ip\.priority: 1\.5 is not allowed/);
    }
  });

  it('disabled: run says so and exits 0 without touching anything', async () => {
    const file = node().writeConfig('floating_ip:\n  enabled: false\n', 'off.yml');
    const r = await node().cli(['run', '--config', file]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /floating IP disabled/);
  });

  it('without CAP_NET_ADMIN and CAP_NET_RAW: exit 2 with a clear message, nothing bound, run from a directory only root may enter', async () => {
    // A copy of the build in a mode-700 directory, as a clone in root's home: the privilege check must not need
    // another user to read the checkout, so it drops the capabilities and keeps uid 0.
    const home = mkdtempSync(join(tmpdir(), 'floatip-home-'));
    try {
      chmodSync(home, 0o700);
      cpSync(DIST, join(home, 'dist'), { recursive: true });
      copyFileSync(join(DIST, '..', 'package.json'), join(home, 'package.json'));
      symlinkSync(realpathSync(join(DIST, '..', 'node_modules')), join(home, 'node_modules'));
      const cli = join(home, 'dist', 'bin', 'floatip.mjs');
      const file = node().writeConfig(node().config(), 'nonroot.yml');
      const drop = ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all'];
      const r = await sh('ip', ['netns', 'exec', node().ns, 'setpriv', ...drop, process.execPath, cli, 'run', '--config', file]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, /must run as root or with CAP_NET_ADMIN and CAP_NET_RAW/);
      assert.equal(await node().holdsVip(), false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  const squatters: [string, string, RegExp][] = [
    ['the status port', `require('net').createServer().listen({ host: '127.0.0.1', port: 61112 }, () => console.log('ready'))`, /status\.listen 127\.0\.0\.1:61112 \(TCP\) is already in use/],
    ['the echo port', `require('net').createServer().listen({ port: 61111 }, () => console.log('ready'))`, /echo port 198\.18\.0\.11:61111 \(TCP\) is already in use/],
    ['the multicast port', `require('dgram').createSocket('udp4').bind(7654, () => console.log('ready'))`, /multicast group 224\.3\.2\.2:7654 on 198\.18\.0\.11 \(UDP\) is already in use/],
  ];
  for (const [what, code, message] of squatters) {
    it(`an unprivileged user holding ${what} makes run exit 3 naming the holder, and nothing is bound`, async () => {
      const squatter = spawn('ip', ['netns', 'exec', node().ns, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', code], {
        cwd: '/',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      lab.children.add(squatter);
      try {
        await new Promise<void>((resolve, reject) => {
          squatter.stdout.once('data', () => resolve());
          squatter.once('exit', (c) => reject(new Error(`the squatter exited ${c}`)));
        });
        const file = node().writeConfig(node().config(), 'squatted.yml');
        const r = await node().cli(['run', '--config', file, '--log-format', 'text']);
        assert.equal(r.code, 3, r.stdout + r.stderr);
        assert.match(r.stdout, message);
        assert.match(r.stdout, new RegExp(`in use by pid ${squatter.pid} \\(\\S*node -e .*\\) of uid 65534 \\(nobody\\)`));
        assert.doesNotMatch(r.stdout, /-> MASTER/);
        assert.equal(await node().holdsVip(), false);
      } finally {
        squatter.kill('SIGKILL');
      }
    });
  }

  it('release removes the alias a killed daemon and its guard left bound, and a second release exits 0 too', async () => {
    const d = node().start();
    await lab.waitFor('the daemon to be master', async () => d.output, (o) => o.includes('-> MASTER'), 8000);
    // the whole tree, children first, so the release guard cannot act on its parent's death
    for (const pid of (await node().daemonPids()).reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await d.exited;
    assert.equal(await node().holdsVip(), true, 'the address was left bound');
    const file = node().writeConfig(node().config(), 'release.yml');
    const r = await node().cli(['release', '--config', file, '--log-format', 'text']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /released 198\.18\.0\.100\/24 on eth0:fip/);
    assert.equal(await node().holdsVip(), false);
    const again = await node().cli(['release', '--config', file, '--log-format', 'text']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /not bound on this host; nothing to release/);
    // disabled and naming no address: nothing to do, exit 0
    const off = await node().cli(['release', '--config', node().writeConfig('floating_ip:\n  enabled: false\n  ip: nope\n', 'release-off.yml')]);
    assert.equal(off.code, 0, off.stdout + off.stderr);
    assert.match(off.stdout, /nothing to release/);
  });

  it('a second daemon on the same host exits 3 naming the first: its ports are taken', async () => {
    const first = node().start();
    await lab.waitFor('the first daemon to be master', async () => first.output, (o) => o.includes('-> MASTER'), 8000);
    const holder = new RegExp(`in use by pid ${first.child.pid} \\(.*\\) of uid 0 \\(root\\)`);
    const second = node().writeConfig(node().config(), 'second.yml');
    const r = await node().cli(['run', '--config', second, '--log-format', 'text']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /cannot start: status\.listen 127\.0\.0\.1:61112 \(TCP\) is already in use by pid/);
    assert.match(r.stdout, holder);
    // with its status endpoint elsewhere it trips over the echo port instead
    const third = node().writeConfig(node().config({ extra: '  status:\n    listen: 127.0.0.1:61113' }), 'third.yml');
    const r3 = await node().cli(['run', '--config', third, '--log-format', 'text']);
    assert.equal(r3.code, 3, r3.stdout + r3.stderr);
    assert.match(r3.stdout, /cannot start: echo port 198\.18\.0\.11:61111 \(TCP\) is already in use by pid/);
    assert.match(r3.stdout, holder);
    assert.equal(await node().holdsVip(), true, 'the second daemon did not disturb the first one\'s address');
    first.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.equal(await node().holdsVip(), false);
  });
});
