import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHeartbeat } from '../../../src/domain/index.js';
import { FrameDecoder, FrameError, MAX_PAYLOAD, decodeDatagram, encodeFrame, parsePayload } from '../../../src/infrastructure/index.js';
import { aHeartbeat } from '../../support/builders.js';

describe('frame codec', () => {
  it('round-trips a heartbeat', () => {
    const msg = aHeartbeat({ state: 'MASTER', term: 7, preempt: true, seq: 42 });
    const parsed = parseHeartbeat(parsePayload(decodeDatagram(encodeFrame(msg)).payload));
    assert.ok(parsed.ok);
    assert.equal(parsed.message.id.toString(), '198.18.0.12');
    assert.equal(parsed.message.term, 7);
    assert.equal(parsed.message.state, 'MASTER');
  });

  it('reassembles frames split across TCP reads, and several in one read', () => {
    const a = encodeFrame(aHeartbeat({ seq: 1 }));
    const b = encodeFrame(aHeartbeat({ seq: 2 }));
    const d = new FrameDecoder();
    const all = Buffer.concat([a, b]);
    const got: unknown[] = [];
    for (let i = 0; i < all.length; i += 5) got.push(...d.push(all.subarray(i, i + 5)));
    assert.equal(got.length, 2);
    assert.equal(d.pendingBytes, 0);
  });

  it('refuses garbage at the first two bytes', () => {
    assert.throws(() => new FrameDecoder().push(Buffer.from('GET / HTTP/1.1\r\n')), FrameError);
  });

  it('refuses a frame announcing more than the maximum, without buffering it', () => {
    const header = Buffer.from([0x46, 0x49, 1, 1, 0, 0]);
    header.writeUInt16BE(MAX_PAYLOAD + 1, 4);
    assert.throws(() => new FrameDecoder().push(header), /exceeds/);
  });

  it('refuses other versions and types', () => {
    assert.throws(() => new FrameDecoder().push(Buffer.from([0x46, 0x49, 9, 1, 0, 0])), /version 9/);
    assert.throws(() => new FrameDecoder().push(Buffer.from([0x46, 0x49, 1, 7, 0, 0])), /type 7/);
  });

  it('refuses truncated and padded datagrams and non-JSON payloads', () => {
    const f = encodeFrame(aHeartbeat());
    assert.throws(() => decodeDatagram(f.subarray(0, f.length - 1)), /does not match/);
    assert.throws(() => decodeDatagram(Buffer.concat([f, Buffer.from([0])])), /does not match/);
    assert.throws(() => parsePayload(decodeDatagram(Buffer.from([0x46, 0x49, 1, 1, 0, 2, 0x7b, 0x7b])).payload), /not JSON/);
  });

  it('rejects well-framed messages with bad fields', () => {
    for (const bad of [null, [], { v: 2 }, { v: 1, id: 'x' }, { v: 1, id: '198.18.0.1', vip: '198.18.0.100', pri: 65536, st: 'MASTER', term: 1, pre: false, seq: 1 }]) {
      assert.equal(parseHeartbeat(bad).ok, false);
    }
  });
});
