import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameAuthenticator, decodeDatagram, encodeFrame, type FrameSigner } from '../../../src/infrastructure/index.js';
import { aHeartbeat } from '../../support/builders.js';

const KEY_A = Buffer.from('0123456789abcdef-key-a');
const KEY_B = Buffer.from('0123456789abcdef-key-b');
const SENDER = '198.18.0.12';

function signer(key: Buffer, boot = 7, now = () => 1_000_000): FrameSigner {
  return { key, boot, now };
}
const receiver = (keys: Buffer[], now = () => 1_000_000) => new FrameAuthenticator(keys, 30_000, now);
const frame = (seq: number, s: FrameSigner | null = signer(KEY_A)) => decodeDatagram(encodeFrame(aHeartbeat({ seq }), s ?? undefined));

describe('signed heartbeats', () => {
  it('accepts a frame signed with a shared key', () => {
    assert.equal(receiver([KEY_A]).open(frame(1), SENDER).ok, true);
  });

  it('rejects a missing or wrong MAC, and unsigned frames', () => {
    const r = receiver([KEY_A]);
    assert.deepEqual(r.open(frame(1, signer(KEY_B)), SENDER), { ok: false, reason: 'bad MAC' });
    assert.deepEqual(r.open(frame(2, null), SENDER), { ok: false, reason: 'unsigned' });
    const tampered = Buffer.from(encodeFrame(aHeartbeat({ seq: 3, priority: 100 }), signer(KEY_A)).toString('latin1').replace('"pri":100', '"pri":254'), 'latin1');
    assert.deepEqual(r.open(decodeDatagram(tampered), SENDER), { ok: false, reason: 'bad MAC' });
  });

  it('key rotation: the first key signs, every listed key verifies', () => {
    const r = receiver([KEY_B, KEY_A]);
    assert.equal(r.open(frame(1, signer(KEY_A)), SENDER).ok, true);
    assert.equal(r.open(frame(2, signer(KEY_B)), SENDER).ok, true);
    assert.equal(new FrameAuthenticator([KEY_B, KEY_A], 30_000).signer.key, KEY_B);
  });

  it('rejects a replayed sequence, drops a second copy quietly', () => {
    const r = receiver([KEY_A]);
    assert.equal(r.open(frame(10), SENDER).ok, true);
    assert.deepEqual(r.open(frame(10), SENDER), { ok: false, reason: 'duplicate', duplicate: true });
    assert.equal(r.open(frame(11), SENDER).ok, true);
    assert.match((r.open(frame(5), SENDER) as { reason: string }).reason, /replayed: sequence 5 after 11/);
  });

  it('rejects a stale timestamp', () => {
    const r = receiver([KEY_A], () => 1_000_000 + 60_000);
    assert.match((r.open(frame(1), SENDER) as { reason: string }).reason, /stale/);
  });

  it('a restarted sender (new run) is accepted; an older run replayed is not', () => {
    let t = 1_000_000;
    const r = receiver([KEY_A], () => t);
    const old = frame(50, signer(KEY_A, 1, () => 1_000_000));
    assert.equal(r.open(old, SENDER).ok, true);
    t += 5000;
    assert.equal(r.open(frame(1, signer(KEY_A, 2, () => t)), SENDER).ok, true);
    assert.match((r.open(frame(51, signer(KEY_A, 1, () => 1_000_000)), SENDER) as { reason: string }).reason, /older run/);
  });

  it('refuses frames stamped before this receiver started: they were captured before its marks existed', () => {
    const start = 1_000_000;
    let t = start;
    const r = receiver([KEY_A], () => t);
    t += 20_000;
    // within the skew, but sent 5 s (or 1 ms) before this receiver (restarted) began: replays of a capture
    assert.match((r.open(frame(40, signer(KEY_A, 3, () => start - 5000)), SENDER) as { reason: string }).reason, /replayed: stamped before this node started/);
    assert.match((r.open(frame(41, signer(KEY_A, 3, () => start - 1)), SENDER) as { reason: string }).reason, /replayed: stamped before this node started/);
    assert.equal(r.open(frame(42, signer(KEY_A, 3, () => start)), SENDER).ok, true);
  });

  it('the transport starting later moves the cut-off to its start; a peer whose clock is behind is heard once it passes', () => {
    let t = 1_000_000;
    let peerClock = t;
    const r = receiver([KEY_A], () => t);
    t += 3000;
    r.begin();
    peerClock = t - 500;
    assert.equal(r.open(frame(1, signer(KEY_A, 4, () => peerClock)), SENDER).ok, false);
    t += 600;
    peerClock = t - 500;
    assert.equal(r.open(frame(2, signer(KEY_A, 4, () => peerClock)), SENDER).ok, true);
  });

  it('a node without a key refuses signed frames rather than half-trusting them', () => {
    assert.deepEqual(FrameAuthenticator.openUnsigned(frame(1)), { ok: false, reason: 'signed frame, but this node has no auth key' });
  });
});
