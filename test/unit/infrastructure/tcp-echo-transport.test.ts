import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import type { NodeSettings, TransportListener } from '../../../src/application/index.js';
import { Ipv4Address, type HeartbeatMessage } from '../../../src/domain/index.js';
import { TcpEchoPeerTransport, encodeFrame } from '../../../src/infrastructure/index.js';
import { aHeartbeat, aSettings } from '../../support/builders.js';
import { RecordingLogger, RecordingMetrics } from '../../support/fakes.js';
import { until, wait } from '../../support/real-time.js';

// Real sockets, loopback only: 127.0.0.x addresses are all this host's.
const PORT = 20000 + Math.floor(Math.random() * 20000);

function settingsFor(id: string, peers: string[]): NodeSettings {
  const base = aSettings({ id, intervalMs: 100, timeoutMs: 1000 });
  return { ...base, echo: { ...base.echo, port: PORT, dialTimeoutMs: 500 }, multicast: null, peers: peers.map((p) => Ipv4Address.create(p)) };
}

class Recorder implements TransportListener {
  readonly heartbeats: HeartbeatMessage[] = [];
  readonly lost: string[] = [];
  onHeartbeat(m: HeartbeatMessage): void {
    this.heartbeats.push(m);
  }
  onPeerLost(id: Ipv4Address, detail: string): void {
    this.lost.push(`${id.toString()}: ${detail}`);
  }
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
function rawClient(from: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: PORT, localAddress: from }, () => resolve(s));
    s.on('error', reject);
  });
}

describe('TCP echo transport on loopback', () => {
  const A = '127.0.0.1';
  const B = '127.0.0.2';
  const logA = new RecordingLogger();
  const metricsA = new RecordingMetrics();
  const a = new TcpEchoPeerTransport(settingsFor(A, []), logA, null, metricsA);
  const b = new TcpEchoPeerTransport(settingsFor(B, [A]), new RecordingLogger());
  const heardByA = new Recorder();
  const heardByB = new Recorder();
  after(async () => {
    await a.stop();
    await b.stop();
  });

  it('delivers heartbeats both ways once a peer is known to either side', async () => {
    await a.start(heardByA);
    await b.start(heardByB);
    await until('B to connect to A', () => b.counters.links === 1);
    await wait(100);
    await b.send(aHeartbeat({ id: B, seq: 1 }));
    await until('A to hear B', () => heardByA.heartbeats.length > 0);
    await until('A to dial back', () => a.counters.links === 1);
    await wait(100);
    await a.send(aHeartbeat({ id: A, seq: 1 }));
    await until('B to hear A', () => heardByB.heartbeats.length > 0);
  });

  it('drops garbage, oversized frames and impostors without disturbing the peer', async () => {
    const garbage = await rawClient('127.0.0.3');
    garbage.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed(garbage);
    const huge = await rawClient('127.0.0.3');
    huge.write(Buffer.from([0x46, 0x49, 1, 1, 0xff, 0xff]));
    await closed(huge);
    const impostor = await rawClient('127.0.0.3');
    impostor.write(encodeFrame(aHeartbeat({ id: '127.0.0.9' })));
    await closed(impostor);
    const before = heardByA.heartbeats.length;
    await b.send(aHeartbeat({ id: B, seq: 2 }));
    await until('A to still hear B', () => heardByA.heartbeats.length > before);
    assert.ok(logA.has('bad magic'));
    assert.ok(logA.has('exceeds'));
    assert.ok(logA.has('claims to be 127.0.0.9'));
    assert.ok(!heardByA.heartbeats.some((m) => m.id.toString() === '127.0.0.9'));
  });

  it('cuts off a silent client after a few missed heartbeats', async () => {
    const silent = await rawClient('127.0.0.4');
    const t0 = Date.now();
    await closed(silent);
    assert.ok(Date.now() - t0 < 3000);
  });

  it('keeps the connection of a peer that speaks only once per quiet period (a backup, where no group carries it)', async () => {
    const backup = await rawClient('127.0.0.5');
    backup.write(encodeFrame(aHeartbeat({ id: '127.0.0.5', seq: 1 })));
    let gone = false;
    backup.once('close', () => (gone = true));
    // quiet period: the timeout, 1000 ms; the idle limit for a connection that never identified itself is 1000 ms
    await wait(1400);
    backup.write(encodeFrame(aHeartbeat({ id: '127.0.0.5', seq: 2 })));
    await wait(1400);
    assert.equal(gone, false, 'the identified peer was cut off');
    backup.destroy();
  });

  it("a peer's new connection replaces its old one (left over from a run whose host crashed)", async () => {
    const old = await rawClient('127.0.0.6');
    old.write(encodeFrame(aHeartbeat({ id: '127.0.0.6', seq: 1 })));
    await until('A to hear the old connection', () => heardByA.heartbeats.some((m) => m.id.toString() === '127.0.0.6'));
    const oldClosed = closed(old);
    const fresh = await rawClient('127.0.0.6');
    fresh.write(encodeFrame(aHeartbeat({ id: '127.0.0.6', seq: 2 })));
    await oldClosed;
    assert.ok(!fresh.destroyed, 'the new connection stays');
    fresh.destroy();
  });

  it('limits connections from one address', async () => {
    const limitedBefore = metricsA.rejected.filter((r) => r === 'connection-limit').length;
    const idleBefore = metricsA.rejected.filter((r) => r === 'idle').length;
    const sockets = await Promise.all(Array.from({ length: 8 }, () => rawClient('127.0.0.5')));
    let closedCount = 0;
    for (const s of sockets) s.once('close', () => closedCount++);
    // well before the idle sweep (1000 ms here), which would close them all with or without a limit
    await until('extra connections to be refused', () => closedCount >= 4, 500);
    await wait(100);
    assert.equal(closedCount, 4, 'the first four stay open');
    // closed by the limit itself, as each arrived, not by the idle sweep (counted, unlike log lines, without a budget)
    const count = (reason: string): number => metricsA.rejected.filter((r) => r === reason).length;
    assert.equal(count('connection-limit') - limitedBefore, 4, 'refused by the per-address limit');
    assert.equal(count('idle'), idleBefore, 'closed by the idle sweep');
    for (const s of sockets) s.destroy();
  });

  it('a stopped daemon on a live host is reported lost at once (refused reconnect)', async () => {
    await b.stop();
    // (other test clients, which listen on no echo port, are reported lost too)
    const lostB = (): string | undefined => heardByA.lost.find((l) => l.startsWith('127.0.0.2:'));
    await until('A to report B lost', () => lostB() !== undefined, 2000);
    assert.match(lostB()!, /127\.0\.0\.2: connection dropped and 127\.0\.0\.2:\d+ refused a new one/);
  });
});
