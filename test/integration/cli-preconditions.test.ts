import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NetnsLab, removeStaleLabs, sh, VIP, CLI } from '../../scripts/lab/netns-lab.js';
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
    const file = node().writeConfig(node().config({ priority: 999 }), 'bad.yml');
    const r = await node().cli(['run', '--config', file]);
    assert.equal(r.code, 2);
    assert.match(r.stdout + r.stderr, /floating_ip\.priority: 999 is not allowed: must be an integer from 1 to 254/);
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

  it('disabled: run says so and exits 0 without touching anything', async () => {
    const file = node().writeConfig('floating_ip:\n  enabled: false\n', 'off.yml');
    const r = await node().cli(['run', '--config', file]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /floating IP disabled/);
  });

  it('not root: exit 2 with a clear message, nothing bound', async () => {
    const file = node().writeConfig(node().config(), 'nonroot.yml');
    const r = await sh('ip', ['netns', 'exec', node().ns, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'run', '--config', file]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /must run as root or with CAP_NET_ADMIN and CAP_NET_RAW/);
    assert.equal(await node().holdsVip(), false);
  });

  it('a second daemon on the same host exits 2: the echo port is taken', async () => {
    const first = node().start();
    await lab.waitFor('the first daemon to be master', async () => first.output, (o) => o.includes('-> MASTER'), 8000);
    const second = node().writeConfig(node().config(), 'second.yml');
    const r = await node().cli(['run', '--config', second, '--log-format', 'text']);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /cannot start: status\.listen 127\.0\.0\.1:61112: already in use/);
    // with its status endpoint elsewhere it trips over the echo port instead
    const third = node().writeConfig(node().config({ extra: '  status:\n    listen: 127.0.0.1:61113' }), 'third.yml');
    const r3 = await node().cli(['run', '--config', third, '--log-format', 'text']);
    assert.equal(r3.code, 2);
    assert.match(r3.stdout, /cannot start: echo port 198\.18\.0\.11:61111 \(TCP\) is already in use: is another floatip running\?/);
    assert.equal(await node().holdsVip(), true, 'the second daemon did not disturb the first one\'s address');
    first.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.equal(await node().holdsVip(), false);
  });
});
