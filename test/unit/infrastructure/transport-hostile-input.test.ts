import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import type { NodeSettings, TransportListener } from '../../../src/application/index.js';
import { Ipv4Address, type HeartbeatMessage } from '../../../src/domain/index.js';
import { TcpEchoPeerTransport, encodeFrame } from '../../../src/infrastructure/index.js';
import { aHeartbeat, aSettings } from '../../support/builders.js';
import { RecordingLogger, RecordingMetrics } from '../../support/fakes.js';
import { until, wait } from '../../support/real-time.js';

// Issue 11 on loopback: Linux takes binds to any 127.x.y.z, so many distinct sources are cheap. local_ip's subnet
// is 127.0.0.0/24 here (the builders' /24), so 127.0.1.x is off-subnet.
let nextPort = 40000 + Math.floor(Math.random() * 20000);

class Recorder implements TransportListener {
  readonly heartbeats: HeartbeatMessage[] = [];
  readonly lost: string[] = [];
  onHeartbeat(m: HeartbeatMessage): void {
    this.heartbeats.push(m);
  }
  onPeerLost(id: Ipv4Address): void {
    this.lost.push(id.toString());
  }
}

interface Node {
  transport: TcpEchoPeerTransport;
  heard: Recorder;
  log: RecordingLogger;
  metrics: RecordingMetrics;
  host: string;
  port: number;
}

const cleanup: (() => Promise<void> | void)[] = [];
// in order: transports first, as a server closes only once its connections have
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function aNode(id: string, opts: { peers?: string[]; timeoutMs?: number } = {}): Promise<Node> {
  const port = nextPort++;
  const base = aSettings({ id, intervalMs: 100, timeoutMs: opts.timeoutMs ?? 1000 });
  const settings: NodeSettings = { ...base, echo: { ...base.echo, port, dialTimeoutMs: 500 }, multicast: null, peers: (opts.peers ?? []).map((p) => Ipv4Address.create(p)) };
  const log = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const transport = new TcpEchoPeerTransport(settings, log, null, metrics);
  const heard = new Recorder();
  await transport.start(heard);
  cleanup.push(() => transport.stop());
  return { transport, heard, log, metrics, host: id, port };
}

function client(node: Node, from: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: node.host, port: node.port, localAddress: from }, () => resolve(s));
    s.on('error', reject);
    cleanup.push(() => void s.destroy());
  });
}

function listen(host: string, port: number, onSocket: (s: Socket) => void): Promise<Server> {
  const open = new Set<Socket>();
  const server = createServer((s) => {
    open.add(s);
    s.on('error', () => undefined);
    onSocket(s);
  });
  cleanup.push(() => {
    for (const s of open) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return new Promise((resolve) => server.listen({ host, port }, () => resolve(server)));
}

describe('transport against hostile input (issue 11)', { timeout: 20_000 }, () => {
  it('backs off exponentially when a peer accepts and closes every connection (it refuses our frames)', async () => {
    const a = await aNode('127.0.0.20', { peers: ['127.0.0.21'] });
    let accepts = 0;
    await listen('127.0.0.21', a.port, (s) => {
      accepts++;
      s.destroy();
    });
    await wait(3000);
    // 200 ms base doubling: about 5 dials in 3 s; without a backoff it is thousands
    assert.ok(accepts <= 12, `${accepts} connections in 3 s`);
    assert.ok(accepts >= 2, `${accepts} connections in 3 s: it must keep trying`);
  });

  it('the first redial after a healthy link drops is immediate, and reconnects at once', async () => {
    const a = await aNode('127.0.0.22', { peers: ['127.0.0.23'] });
    const sockets: Socket[] = [];
    await listen('127.0.0.23', a.port, (s) => {
      s.on('error', () => undefined);
      sockets.push(s);
    });
    await until('the link to come up', () => sockets.length === 1);
    await wait(1500);
    const dropped = Date.now();
    sockets[0]!.destroy();
    await until('the link to be redialled', () => sockets.length === 2, 1000);
    assert.ok(Date.now() - dropped < 200, `redialled after ${Date.now() - dropped} ms`);
  });

  it('a peer that is heard again is dialled at once, even while its link backs off', async () => {
    const a = await aNode('127.0.0.24', { peers: ['127.0.0.25'] });
    // refused for 2.5 s: the retry delay has grown past a second
    await wait(2500);
    const sockets: Socket[] = [];
    await listen('127.0.0.25', a.port, (s) => sockets.push(s));
    const peer = await client(a, '127.0.0.25');
    const t0 = Date.now();
    peer.write(encodeFrame(aHeartbeat({ id: '127.0.0.25', seq: 1 })));
    await until('the link to the peer', () => sockets.length > 0, 2000);
    assert.ok(Date.now() - t0 < 500, `dialled ${Date.now() - t0} ms after the peer was heard`);
  });

  it("refuses connections from outside local_ip's subnet, but not from a configured peer", async () => {
    const a = await aNode('127.0.0.26', { peers: ['127.0.1.7'] });
    const stranger = await client(a, '127.0.1.5');
    const closed = new Promise<number>((r) => stranger.once('close', () => r(Date.now())));
    const t0 = Date.now();
    stranger.write(encodeFrame(aHeartbeat({ id: '127.0.1.5', seq: 1 })));
    assert.ok((await closed) - t0 < 500, 'closed at once, not by the idle sweep');
    const peer = await client(a, '127.0.1.7');
    peer.write(encodeFrame(aHeartbeat({ id: '127.0.1.7', seq: 1 })));
    await until('the configured peer to be heard', () => a.heard.heartbeats.length > 0);
    assert.deepEqual(
      a.heard.heartbeats.map((m) => m.id.toString()),
      ['127.0.1.7'],
    );
    assert.ok(a.metrics.rejected.includes('foreign-source'), a.metrics.rejected.join());
  });

  it('a heartbeat naming another floating address is dropped: no link, never delivered, a bounded log', async () => {
    const a = await aNode('127.0.0.27');
    const senders = await Promise.all(Array.from({ length: 60 }, (_, i) => client(a, `127.0.0.${100 + i}`)));
    senders.forEach((s, i) => s.write(encodeFrame(aHeartbeat({ id: `127.0.0.${100 + i}`, vip: `198.18.0.${150 + (i % 50)}`, seq: 1 }))));
    await until('every sender to be refused', () => a.metrics.rejected.filter((r) => r === 'foreign-address').length === 60);
    await wait(100);
    assert.equal(a.heard.heartbeats.length, 0);
    assert.equal(a.transport.counters.links, 0, 'no link to a node of another group');
    assert.ok(a.log.lines.length <= 10, `${a.log.lines.length} log lines`);
    assert.ok(a.log.has('198.18.0.150'), a.log.lines.join('\n'));
  });

  it('dialled peers are capped and forgotten once they fall silent; configured peers never', async () => {
    const a = await aNode('127.0.0.28', { peers: ['127.0.0.29'], timeoutMs: 400 });
    const senders = await Promise.all(Array.from({ length: 100 }, (_, i) => client(a, `127.0.0.${100 + i}`)));
    senders.forEach((s, i) => s.write(encodeFrame(aHeartbeat({ id: `127.0.0.${100 + i}`, seq: 1 }), undefined, { tcp: 1 })));
    await until('all 100 to be heard', () => a.heard.heartbeats.length === 100);
    const { links, remembered } = a.transport.counters;
    assert.ok(links <= 1 + 64, `${links} links`);
    assert.ok(remembered <= 2 * (1 + 64), `${remembered} entries in the heard/asked tables`);
    for (const s of senders) s.destroy();
    // silent for a few timeouts (400 ms here): forgotten
    await until('the silent peers to be forgotten', () => a.transport.counters.links === 1, 6000);
    assert.equal(a.transport.counters.remembered, 0);
  });
});
