import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ipv4Address } from '../../../src/domain/index.js';
import { FrameAuthenticator, encodeBatchFrame, encodeFrame, type FrameSigner } from '../../../src/infrastructure/index.js';
import { idleConnectionCloses, sendsOnTcp, type LinkFacts } from '../../../src/infrastructure/network/channel-policy.js';
import { InboundPipeline, type Inbound } from '../../../src/infrastructure/network/inbound-pipeline.js';
import { aHeartbeat, aMultiSettings, aSettings, aUnit } from '../../support/builders.js';

// local_ip 198.18.0.11/24; the peer is 198.18.0.12 (the builders' defaults)
const PEER = '198.18.0.12';
const settings = aSettings();
const summary = (got: Inbound): string => (got.kind === 'rejected' ? `${got.reason}: ${got.detail}` : got.kind === 'heartbeat' ? `heartbeat from ${got.remote} via ${got.via}` : got.kind);

describe('inbound pipeline: bytes in, a heartbeat or a typed rejection out', () => {
  const plain = new InboundPipeline(settings, null);

  it('a datagram from the group: every stage, with the metric reasons the transport always used', () => {
    const cases: [Buffer, string, RegExp][] = [
      [encodeFrame(aHeartbeat({ id: PEER })), PEER, /^heartbeat from 198\.18\.0\.12 via group$/],
      [encodeFrame(aHeartbeat({ id: '198.18.0.11' })), '198.18.0.11', /^own$/],
      [encodeFrame(aHeartbeat({ id: '198.18.1.5' })), '198.18.1.5', /^foreign-source: dropping datagram from 198\.18\.1\.5: outside local_ip/],
      [Buffer.from('GET / HTTP/1.1\r\n'), PEER, /^bad-frame: dropping datagram from 198\.18\.0\.12: not a floatip frame \(bad magic\)$/],
      [Buffer.from([0x46, 0x49, 1, 1, 0, 1, 0x7b]), PEER, /^bad-frame: dropping multicast message from 198\.18\.0\.12: payload is not JSON$/],
      [encodeFrame(aHeartbeat({ id: PEER }), { key: Buffer.from('k'), boot: 1, now: () => 1 }), PEER, /^signed-frame,-but-this-node-has-no-auth-key: /],
      [encodeFrame(aHeartbeat({ id: '198.18.0.13' })), PEER, /^impostor: dropping multicast message from 198\.18\.0\.12: it claims to be 198\.18\.0\.13$/],
      [encodeFrame(aHeartbeat({ id: PEER, vip: '198.18.0.200' })), PEER, /^foreign-address: ignoring multicast heartbeats from 198\.18\.0\.12: it manages 198\.18\.0\.200/],
    ];
    for (const [buf, remote, expected] of cases) assert.match(summary(plain.datagram(buf, remote)), expected);
  });

  it('a TCP stream: frames split across chunks are joined, and a chunk that does not decode is one rejection', () => {
    const judge = plain.stream(PEER);
    const two = Buffer.concat([encodeFrame(aHeartbeat({ id: PEER, seq: 1 })), encodeFrame(aHeartbeat({ id: PEER, seq: 2 }), undefined, { tcp: 1 })]);
    assert.deepEqual([...judge(two.subarray(0, 10))], []);
    const got = [...judge(two.subarray(10))];
    assert.deepEqual(got.map(summary), ['heartbeat from 198.18.0.12 via tcp', 'heartbeat from 198.18.0.12 via tcp']);
    assert.deepEqual(got.map((g) => g.kind === 'heartbeat' && g.asksTcp), [false, true]);
    assert.deepEqual([...judge(Buffer.from('xx'))].map(summary), ['bad-frame: dropping connection from 198.18.0.12: not a floatip frame (bad magic)']);
  });

  it('a TCP stream is judged frame by frame: the caller stops at the first rejection, and the rest are never opened', () => {
    const t = 1_000_000;
    const auth = new FrameAuthenticator([Buffer.from('key')], 30_000, () => t);
    const signed = new InboundPipeline(settings, auth);
    const signer: FrameSigner = { key: Buffer.from('key'), boot: 3, now: () => t };
    const chunk = Buffer.concat([encodeFrame(aHeartbeat({ id: '198.18.0.13', seq: 1 }), signer), encodeFrame(aHeartbeat({ id: PEER, seq: 2 }), signer)]);
    for (const got of signed.stream(PEER)(chunk)) {
      assert.match(summary(got), /^impostor/);
      break;
    }
    // the second frame was never opened, so it is news (not a duplicate) when it comes again
    assert.equal(signed.datagram(encodeFrame(aHeartbeat({ id: PEER, seq: 2 }), signer), PEER).kind, 'heartbeat');
    assert.equal(signed.datagram(encodeFrame(aHeartbeat({ id: PEER, seq: 2 }), signer), PEER).kind, 'duplicate');
    assert.match(summary(signed.datagram(encodeFrame(aHeartbeat({ id: PEER, seq: 3 })), PEER)), /^unsigned: /);
    assert.match(summary(signed.datagram(encodeFrame(aHeartbeat({ id: PEER, seq: 4 }), { ...signer, key: Buffer.from('other') }), PEER)), /^bad-mac: /);
  });

  it('takes a configured peer from outside the subnet once reconfigured', () => {
    const p = new InboundPipeline(settings, null);
    assert.equal(p.admitConnection('10.1.2.3')?.reason, 'foreign-source');
    p.reconfigure({ ...settings, peers: [Ipv4Address.create('10.1.2.3')] });
    assert.equal(p.admitConnection('10.1.2.3'), null);
  });
});

describe('channel policy', () => {
  // quiet period 1000 ms, a third of the timeout 333 ms, heartbeats every 100 ms
  const echo = { intervalMs: 100, timeoutMs: 1000 };
  const now = 100_000;
  const link = (over: Partial<LinkFacts> = {}): LinkFacts => ({ heardOnGroupAt: now - 100, askedForTcpAt: -Infinity, lastSentAt: now - 100, lastSentState: 'BACKUP', ...over });

  it('where the group carries a peer, TCP gets a change of state, and the master now and then', () => {
    assert.equal(sendsOnTcp(link(), 'BACKUP', now, echo), false);
    assert.equal(sendsOnTcp(link(), 'MASTER', now, echo), true, 'a change of state');
    assert.equal(sendsOnTcp(link({ lastSentState: 'MASTER', lastSentAt: now - 200 }), 'MASTER', now, echo), false);
    assert.equal(sendsOnTcp(link({ lastSentState: 'MASTER', lastSentAt: now - 283 }), 'MASTER', now, echo), true, 'three times per timeout');
    assert.equal(sendsOnTcp(link(), 'BACKUP', now, echo, true), true, 'every channel');
  });

  it('a peer not heard on the group for 1.5 quiet periods, or asking for TCP, gets every heartbeat', () => {
    assert.equal(sendsOnTcp(link({ heardOnGroupAt: now - 1500 }), 'BACKUP', now, echo), false);
    assert.equal(sendsOnTcp(link({ heardOnGroupAt: now - 1501 }), 'BACKUP', now, echo), true);
    assert.equal(sendsOnTcp(link({ askedForTcpAt: now - 10 }), 'BACKUP', now, echo), true);
  });

  it('an idle connection closes after the idle limit unless it is a peer heard within 1.5 quiet periods', () => {
    assert.equal(idleConnectionCloses({ identified: false, lastFrameAt: now - 999 }, -Infinity, now, echo), false);
    assert.equal(idleConnectionCloses({ identified: false, lastFrameAt: now - 1000 }, -Infinity, now, echo), true);
    assert.equal(idleConnectionCloses({ identified: true, lastFrameAt: now - 1400 }, -Infinity, now, echo), false);
    assert.equal(idleConnectionCloses({ identified: true, lastFrameAt: now - 1600 }, -Infinity, now, echo), true);
    assert.equal(idleConnectionCloses({ identified: true, lastFrameAt: now - 5000 }, now - 100, now, echo), false);
  });
});

describe('inbound pipeline, several addresses: a batch frame (protocol v2)', () => {
  const multi = aMultiSettings('198.18.0.11', [aUnit('198.18.0.234', 150), aUnit('fd00:198:18::234', 150)]);
  const pipeline = new InboundPipeline(multi, null);
  const batch = (vips: string[], seq = 1): Buffer =>
    encodeBatchFrame({ id: Ipv4Address.create(PEER), seq, messages: vips.map((vip) => aHeartbeat({ id: PEER, vip })) });

  it('hands on the entries of the addresses this node runs, and says which it does not', () => {
    const got = pipeline.datagram(batch(['198.18.0.234', 'fd00:198:18::234', '198.18.0.240']), PEER);
    assert.equal(got.kind, 'heartbeat');
    const hb = got as Extract<Inbound, { kind: 'heartbeat' }>;
    assert.deepEqual(hb.msgs.map((m) => m.vip.toString()), ['198.18.0.234', 'fd00:198:18::234']);
    assert.match(hb.foreign?.detail ?? '', /this node does not run 198\.18\.0\.240/);
  });

  it('refuses a frame of nothing but foreign addresses, one of a forged sender, and one past the size limit', () => {
    assert.match(summary(pipeline.datagram(batch(['198.18.0.240']), PEER)), /^foreign-address: ignoring multicast heartbeats from 198\.18\.0\.12: it manages 198\.18\.0\.240/);
    const forged = encodeBatchFrame({ id: Ipv4Address.create('198.18.0.13'), seq: 1, messages: [aHeartbeat({ id: PEER, vip: '198.18.0.234' })] });
    assert.match(summary(pipeline.datagram(forged, PEER)), /^impostor: /);
    const huge = Buffer.concat([Buffer.from([0x46, 0x49, 1, 1, 0x10, 0x01]), Buffer.alloc(4097, 0x20)]);
    assert.match(summary(pipeline.datagram(huge, PEER)), /^bad-frame: .*exceeds 4096/);
  });

  it('a single-address node reads a batch as well, for the address it runs', () => {
    const single = new InboundPipeline(aSettings(), null);
    const got = single.datagram(batch(['198.18.0.234', '198.18.0.100']), PEER);
    assert.equal(got.kind, 'heartbeat');
    assert.deepEqual((got as Extract<Inbound, { kind: 'heartbeat' }>).msgs.map((m) => m.vip.toString()), ['198.18.0.100']);
  });
});
