import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { CLIENT_IP, type NetnsLab } from '../../scripts/lab/netns-lab.js';
import { describeLab, describeLabs } from '../support/describe-lab.js';

const SETTLE_MS = 8000;
const TIMEOUT_MS = 1000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const AUTH = '  auth:\n    secret: lab-secret-0123456789';

/** Polls the holders for `ms` and returns every distinct set seen. */
async function holderSetsDuring(lab: NetnsLab, ms: number): Promise<Set<string>> {
  const seen = new Set<string>();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    seen.add((await lab.holders()).join('+'));
    await sleep(50);
  }
  return seen;
}

describeLabs('production features between real daemons', () => {
  describeLab('authenticated heartbeats', { nodes: 3 }, ({ lab }) => {
    it('signed nodes elect one master', async () => {
      const [n1, n2] = lab.pair();
      n1.start({ extra: AUTH });
      n2.start({ extra: AUTH });
      await lab.waitForHolders(['node2'], SETTLE_MS);
      await lab.waitForLog(n1.daemon!, /INIT -> BACKUP/);
      await lab.waitForLog(n2.daemon!, /heartbeats signed/);
      // each heartbeat's TCP copy is a duplicate of its datagram: it still identifies the connection, which stays open
      await sleep(3000);
      for (const n of [n1, n2]) assert.doesNotMatch(n.daemon!.output, /closing connection from/, `${n.name}:\n${n.daemon!.output}`);
    });

    it('a node with the wrong key, or none, can neither make the master step down nor claim the address', async () => {
      const n3 = lab.nodes[2]!;
      for (const extra of ['  auth:\n    secret: wrong-secret-0123456789', '']) {
        n3.start({ priority: 254, preempt: true, extra });
        const seen = await holderSetsDuring(lab, 3000);
        assert.deepEqual([...seen], ['node2'], `holders seen: ${[...seen].join(' ')}`);
        await lab.waitForLog(n3.daemon!, /not taking 198\.18\.0\.100 over: it is in use by another host/);
        n3.daemon!.kill('SIGTERM');
        assert.equal(await n3.daemon!.exited, 0);
      }
      const metrics = await lab.nodes[1]!.fetch('/metrics');
      assert.match(metrics, /floatip_heartbeats_rejected_total\{reason="bad-mac"\} [1-9]/);
      assert.match(metrics, /floatip_heartbeats_rejected_total\{reason="unsigned"\} [1-9]/);
    });

    it('replayed captured heartbeats of a stopped master cannot move the address back', async () => {
      const [n1, n2] = lab.pair();
      const capture = join(lab.dir, 'captured.txt');
      const got = await lab.wire(['capture', '224.3.2.2', '7654', CLIENT_IP, '1500']);
      const fromMaster = got.stdout.split('\n').filter((l) => l.startsWith(`${n2.ip} `));
      assert.ok(fromMaster.length >= 5, `captured ${fromMaster.length} of node2's heartbeats`);
      writeFileSync(capture, fromMaster.join('\n'));
      n2.daemon!.kill('SIGTERM');
      await lab.waitForHolders(['node1'], SETTLE_MS);
      // replayed from node2's own address, so only the replay check can stop them
      const udp = await n2.wire(['replay', '224.3.2.2', '7654', n2.ip, capture]);
      assert.match(udp.stdout, /replayed \d+ datagrams/);
      const tcp = await n2.wire(['replay-tcp', n1.ip, '61111', capture]);
      assert.match(tcp.stdout, /closed by peer: true/);
      const seen = await holderSetsDuring(lab, 1500);
      assert.deepEqual([...seen], ['node1']);
      assert.equal(n1.daemon!.running, true);
      assert.match(await n1.fetch('/metrics'), /floatip_heartbeats_rejected_total\{reason="replayed"\} [1-9]/);
    });

    it('heartbeats captured before a receiver restarted are refused after it, though its replay marks died with it', async () => {
      const [n1, n2] = lab.pair();
      n2.start({ extra: AUTH });
      await lab.waitForLog(n2.daemon!, /INIT -> BACKUP: master 198\.18\.0\.11/, SETTLE_MS);
      const got = await lab.wire(['capture', '224.3.2.2', '7654', CLIENT_IP, '1500']);
      const fromMaster = got.stdout.split('\n').filter((l) => l.startsWith(`${n1.ip} `));
      assert.ok(fromMaster.length >= 5, `captured ${fromMaster.length} of node1's heartbeats`);
      const capture = join(lab.dir, 'captured-before-restart.txt');
      writeFileSync(capture, fromMaster.join('\n'));
      n1.daemon!.kill('SIGTERM');
      assert.equal(await n1.daemon!.exited, 0);
      await lab.waitForHolders(['node2'], SETTLE_MS);
      n2.daemon!.kill('SIGTERM');
      assert.equal(await n2.daemon!.exited, 0);
      // well within max_clock_skew, from node1's own address, while node2 starts and listens for a master
      n2.start({ extra: AUTH });
      const end = Date.now() + 4000;
      let replays = 0;
      while (Date.now() < end && replays < 50) {
        assert.match((await n1.wire(['replay', '224.3.2.2', '7654', n1.ip, capture])).stdout, /replayed \d+ datagrams/);
        replays++;
      }
      await lab.waitForHolders(['node2'], SETTLE_MS);
      assert.doesNotMatch(n2.daemon!.output, /peer 198\.18\.0\.11 joined|master 198\.18\.0\.11/);
      assert.match(n2.daemon!.output, /INIT -> MASTER/);
      assert.match(await n2.fetch('/metrics'), /floatip_heartbeats_rejected_total\{reason="replayed"\} [1-9]/);
    });
  });

  describeLab('health checks', { nodes: 2, services: true }, ({ lab }) => {
    it('a failing fatal check moves the address to the peer; after rise it comes back (preemption)', async () => {
      const [n1, n2] = lab.pair();
      const check = '  checks:\n    - tcp: 127.0.0.1:8080\n      fatal: true\n      interval_in_ms: 200\n      timeout_in_ms: 150\n      fall: 2\n      rise: 2';
      n1.start({ priority: 200, preempt: true, extra: check });
      n2.start();
      await lab.waitForHolders(['node1'], SETTLE_MS);
      const probe = lab.startProbe();
      await lab.waitFor('the client to reach node1', async () => probe.lastAnswer(), (w) => w === 'node1', 5000);
      n1.service!.kill('SIGKILL');
      await lab.waitForHolders(['node2'], SETTLE_MS);
      await lab.waitForLog(n1.daemon!, /MASTER -> FAULT: check tcp:127\.0\.0\.1:8080 is failing/);
      await lab.waitFor('the client to reach node2', async () => probe.lastAnswer(), (w) => w === 'node2', 5000);
      await n1.startService();
      await lab.waitForLog(n1.daemon!, /FAULT -> BACKUP: recovered/);
      await lab.waitForHolders(['node1'], SETTLE_MS);
      await lab.waitFor('the client to reach node1 again', async () => probe.lastAnswer(), (w) => w === 'node1', 5000);
      const status = JSON.parse(await n1.fetch('/status')) as { state: string; checks: { healthy: boolean }[] };
      assert.equal(status.state, 'MASTER');
      assert.equal(status.checks[0]?.healthy, true);
      probe.stop();
    });
  });

  describeLab('self-fencing', { nodes: 2 }, ({ lab }) => {
    it('an isolated master with a witness releases the address; after healing there is never a second holder', async () => {
      const [n1, n2] = lab.pair();
      const witness = `  witness: [${CLIENT_IP}]`;
      n1.start({ extra: witness });
      n2.start({ extra: witness });
      await lab.waitForHolders(['node2'], SETTLE_MS);
      await n2.unplug();
      await lab.waitForLog(n2.daemon!, /MASTER -> FAULT: isolated: no witness \(198\.18\.0\.2\) and no peer answered/, SETTLE_MS);
      await lab.waitForHolders(['node1'], SETTLE_MS);
      await n2.plug();
      await lab.waitForLog(n2.daemon!, /FAULT -> BACKUP: recovered/, SETTLE_MS);
      const seen = await holderSetsDuring(lab, 2000);
      assert.deepEqual([...seen], ['node1'], `holders after healing: ${[...seen].join(' ')}`);
    });
  });

  describeLab('hooks, status, metrics and reload', { nodes: 2 }, ({ lab }) => {
    it('a hanging on_master hook is killed at its timeout and the takeover is still on time', async () => {
      const [n1, n2] = lab.pair();
      n1.start({ extra: "  notify:\n    on_master: [sh, -c, 'sleep 30', hook]\n    timeout_in_ms: 500" });
      n2.start();
      await lab.waitForHolders(['node2'], SETTLE_MS);
      await lab.waitForLog(n2.daemon!, /-> MASTER/);
      n2.daemon!.kill('SIGKILL');
      const ms = await lab.waitForHolders(['node1'], SETTLE_MS);
      assert.ok(ms < TIMEOUT_MS, `takeover took ${ms} ms`);
      await lab.waitForLog(n1.daemon!, /hook sh for MASTER killed after 500 ms/);
    });

    it('floatip status prints the node, and /metrics parses as Prometheus text', async () => {
      const [n1] = lab.pair();
      const table = await n1.cli(['status']);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /node\s+198\.18\.0\.11\s+MASTER\s+priority 100/);
      assert.match(table.stdout, /198\.18\.0\.12\s+MASTER\s+.*LOST/);
      const json = JSON.parse((await n1.cli(['status', '--json'])).stdout) as { state: string; counters: { heartbeatsSent: number } };
      assert.equal(json.state, 'MASTER');
      assert.ok(json.counters.heartbeatsSent > 0);
      const metrics = await n1.fetch('/metrics');
      for (const line of metrics.split('\n').filter(Boolean)) {
        assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{(\w+="[^"]*",?)+\})? (-?[\d.e+-]+|NaN|\+Inf))$/, line);
      }
      assert.match(metrics, /floatip_transitions_total\{from="BACKUP",to="MASTER",cause="daemon-gone"\} 1/);
      assert.match(metrics, /floatip_takeover_duration_seconds_count 1/);
    });

    it('SIGHUP with a broken file keeps the daemon and the address; a valid one applies without dropping it', async () => {
      const [n1] = lab.pair();
      const file = join(lab.dir, `${n1.name}.yml`);
      writeFileSync(file, 'floating_ip:\n  enabled: true\n  echo:\n    port: 0\n');
      n1.daemon!.kill('SIGHUP');
      await lab.waitForLog(n1.daemon!, /SIGHUP: .* is invalid; keeping the running settings/);
      assert.equal(n1.daemon!.running, true);
      assert.deepEqual(await lab.holders(), ['node1']);
      writeFileSync(file, n1.config({ priority: 77 }));
      n1.daemon!.kill('SIGHUP');
      await lab.waitForLog(n1.daemon!, /reloaded: priority 77/);
      const seen = await holderSetsDuring(lab, 1000);
      assert.deepEqual([...seen], ['node1'], 'the address never dropped');
      const status = JSON.parse(await n1.fetch('/status')) as { priority: number };
      assert.equal(status.priority, 77);
    });

    it('SIGHUP with a new ip releases the old address and elects for the new one', async () => {
      const [n1] = lab.pair();
      writeFileSync(join(lab.dir, `${n1.name}.yml`), n1.config().replace('ip: 198.18.0.100', 'ip: 198.18.0.101'));
      n1.daemon!.kill('SIGHUP');
      await lab.waitForLog(n1.daemon!, /SIGHUP: ip changed; restarting the node/);
      await lab.waitFor('node1 to hold 198.18.0.101', () => lab.holders('198.18.0.101'), (h) => h.join() === 'node1', SETTLE_MS);
      assert.deepEqual(await lab.holders(), [], 'the old address is gone');
      assert.equal(n1.daemon!.running, true);
    });
  });

  describeLab('hostile input', { nodes: 2 }, ({ lab }) => {
    it('fuzzed, truncated, oversized and forged frames on the echo and multicast ports change nothing and cost nothing lasting', async () => {
      const [n1, n2] = lab.pair();
      n1.start({ extra: AUTH });
      n2.start({ extra: AUTH });
      await lab.waitForHolders(['node2'], SETTLE_MS);
      await sleep(1000);
      const before = n2.usage();
      const watch = holderSetsDuring(lab, 8000);
      const fuzz = await lab.wire(['fuzz', n2.ip, '61111', '224.3.2.2', '7654', CLIENT_IP, '6000'], 30_000);
      const counts = JSON.parse(fuzz.stdout) as { datagrams: number; connections: number };
      assert.ok(counts.datagrams > 1000 && counts.connections > 100, fuzz.stdout);
      assert.deepEqual([...(await watch)], ['node2'], 'no failover during the fuzzing');
      assert.equal(n2.daemon!.running && n1.daemon!.running, true);
      assert.doesNotMatch(n1.daemon!.output + n2.daemon!.output, /MASTER -> BACKUP|BACKUP -> MASTER/);
      await sleep(2000);
      const settled = n2.usage();
      await sleep(2000);
      const idle = n2.usage();
      const cpuShare = (idle.cpuMs - settled.cpuMs) / 2000;
      console.log(`# fuzz: ${counts.datagrams} datagrams, ${counts.connections} connections; RSS ${before.rssKb} -> ${idle.rssKb} kB; CPU afterwards ${(cpuShare * 100).toFixed(1)}% of a core`);
      assert.ok(idle.rssKb - before.rssKb < 60_000, `RSS grew by ${idle.rssKb - before.rssKb} kB`);
      assert.ok(cpuShare < 0.1, `CPU afterwards ${cpuShare}`);
      assert.match(await n2.fetch('/metrics'), /floatip_heartbeats_rejected_total\{reason="bad-frame"\} [1-9]/);
    });
  });
});
