// The host probe with real processes: a stand-in for ping that prints what ping prints, and exits when told.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ipv4Address } from '../../../src/domain/index.js';
import { PingHostProbe, SystemClock } from '../../../src/infrastructure/index.js';
import { RecordingLogger } from '../../support/fakes.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const HOST = Ipv4Address.create('198.18.0.12');

/** A pid that is no longer running. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe('the ping host probe (echo.host_timeout_in_ms)', () => {
  let dir: string;
  let ping: string;
  let mode: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'floatip-hostprobe-'));
    ping = join(dir, 'ping');
    mode = join(dir, 'mode');
    // answers every interval until $dir/mode says "silent" (a dead host) or "exit" (ping itself gone); "unreachable"
    // prints what ping prints for a host that does not answer ARP
    writeFileSync(
      ping,
      `#!/bin/sh\necho $$ > ${dir}/pid\necho "PING $4 ($4) 56(84) bytes of data."\nseq=1\nwhile :; do\n  m=$(cat ${mode} 2>/dev/null)\n  case "$m" in\n    exit) echo "ping: sendmsg: Operation not permitted" >&2; exit 2;;\n    silent) ;;\n    unreachable) echo "From 198.18.0.11 icmp_seq=$seq Destination Host Unreachable";;\n    *) echo "64 bytes from $4: icmp_seq=$seq ttl=64 time=0.04 ms";;\n  esac\n  seq=$((seq+1))\n  sleep $3\ndone\n`,
    );
    chmodSync(ping, 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stamps each reply, not an unreachable line nor silence, and its ping dies with the watch', async () => {
    writeFileSync(mode, 'answer');
    const clock = new SystemClock();
    const probe = new PingHostProbe(() => ping, '/bin/sh', clock, new RecordingLogger());
    probe.watch(HOST, 20);
    await sleep(300);
    const answered = probe.answeredAt(HOST);
    assert.ok(answered !== null && clock.now() - answered < 150, `last answer ${answered === null ? 'never' : `${clock.now() - answered} ms ago`}`);
    writeFileSync(mode, 'unreachable');
    await sleep(300);
    assert.ok(clock.now() - probe.answeredAt(HOST)! >= 150, 'an unreachable line is no answer');
    writeFileSync(mode, 'silent');
    await sleep(100);
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    probe.unwatch(HOST);
    assert.equal(probe.answeredAt(HOST), null, 'not watched');
    await sleep(300);
    assert.ok(gone(pid), 'the ping outlived its watch');
  });

  it('a ping that exits makes the host unknown (null), not silent, says so once, and is started again', async () => {
    writeFileSync(mode, 'answer');
    const logger = new RecordingLogger();
    const probe = new PingHostProbe(() => ping, '/bin/sh', new SystemClock(), logger);
    probe.watch(HOST, 20);
    await sleep(200);
    assert.notEqual(probe.answeredAt(HOST), null);
    writeFileSync(mode, 'exit');
    await sleep(200);
    assert.equal(probe.answeredAt(HOST), null, 'unknown while no ping runs');
    assert.ok(logger.has('host probe of 198.18.0.12 (ping) exited (code 2): ping: sendmsg: Operation not permitted'));
    writeFileSync(mode, 'answer');
    await sleep(1400);
    assert.notEqual(probe.answeredAt(HOST), null, 'started again');
    probe.unwatch(HOST);
  });

  it('two watchers of one host share one ping, which stops with the last', async () => {
    writeFileSync(mode, 'answer');
    const probe = new PingHostProbe(() => ping, '/bin/sh', new SystemClock(), new RecordingLogger());
    probe.watch(HOST, 20);
    probe.watch(HOST, 20);
    await sleep(200);
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    probe.unwatch(HOST);
    await sleep(100);
    assert.ok(!gone(pid) && probe.answeredAt(HOST) !== null, 'still probed for the other watcher');
    probe.unwatch(HOST);
    await sleep(300);
    assert.ok(gone(pid));
    assert.ok(existsSync(dir));
  });
});
