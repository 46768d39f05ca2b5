import { createHmac, timingSafeEqual } from 'node:crypto';
import { FloatipError, toBatchWire, toWire, type HeartbeatBatch, type HeartbeatMessage } from '../../domain/index.js';

/**
 * "FI", protocol version, message type, then a big-endian payload length and the JSON payload.
 * Type 2 (signed) appends an HMAC-SHA256 of everything before it.
 */
const MAGIC_0 = 0x46;
const MAGIC_1 = 0x49;
export const FRAME_VERSION = 1;
export const TYPE_HEARTBEAT = 1;
export const TYPE_SIGNED_HEARTBEAT = 2;
export const HEADER_LENGTH = 6;
export const MAC_LENGTH = 32;
/** A batch of 32 IPv6 addresses' states fits; a TCP stream never holds more than one frame of this. */
export const MAX_PAYLOAD = 4096;

export class FrameError extends FloatipError {
  readonly code = 'FLOATIP_BAD_FRAME';
}

/** A frame as it came off the wire, not yet authenticated or parsed. */
export interface RawFrame {
  readonly type: number;
  readonly payload: Buffer;
  /** header and payload: what the MAC covers */
  readonly signed: Buffer;
  readonly mac: Buffer | null;
}

/** The sender's side of authentication: the signing key and what makes each message unique. */
export interface FrameSigner {
  readonly key: Buffer;
  /** random per daemon run, so a restarted sender's sequence may start again */
  readonly boot: number;
  now(): number;
}

/** `extra`: transport fields beside the heartbeat's own, which the heartbeat parser ignores. */
export function encodeFrame(msg: HeartbeatMessage, signer?: FrameSigner, extra?: Record<string, number>): Buffer {
  return encodeWire(toWire(msg), signer, extra);
}

/** A node's heartbeats for several addresses in one frame (protocol v2). */
export function encodeBatchFrame(batch: HeartbeatBatch, signer?: FrameSigner, extra?: Record<string, number>): Buffer {
  return encodeWire(toBatchWire(batch), signer, extra);
}

function encodeWire(payload: object, signer?: FrameSigner, extra?: Record<string, number>): Buffer {
  const wire = extra ? { ...payload, ...extra } : payload;
  const json = JSON.stringify(signer ? { ...wire, boot: signer.boot, ts: signer.now() } : wire);
  // one allocation: at 100 ms heartbeats this runs ten times a second, always cold
  const length = Buffer.byteLength(json);
  if (length > MAX_PAYLOAD) throw new FrameError(`heartbeat of ${length} bytes exceeds ${MAX_PAYLOAD}`);
  const frame = Buffer.allocUnsafe(HEADER_LENGTH + length + (signer ? MAC_LENGTH : 0));
  frame[0] = MAGIC_0;
  frame[1] = MAGIC_1;
  frame[2] = FRAME_VERSION;
  frame[3] = signer ? TYPE_SIGNED_HEARTBEAT : TYPE_HEARTBEAT;
  frame.writeUInt16BE(length, 4);
  frame.write(json, HEADER_LENGTH, 'utf8');
  if (signer) mac(signer.key, frame.subarray(0, HEADER_LENGTH + length)).copy(frame, HEADER_LENGTH + length);
  return frame;
}

export function mac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** True when any of the keys made this MAC: the first key signs, all of them verify, for rotation. */
export function verifyMac(keys: readonly Buffer[], frame: RawFrame): boolean {
  if (!frame.mac) return false;
  return keys.some((k) => timingSafeEqual(mac(k, frame.signed), frame.mac!));
}

export function parsePayload(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    throw new FrameError('payload is not JSON');
  }
}

/** Bytes the whole frame takes, from its header. */
function frameLength(buf: Buffer): number {
  if (buf[0] !== MAGIC_0 || buf[1] !== MAGIC_1) throw new FrameError('not a floatip frame (bad magic)');
  if (buf[2] !== FRAME_VERSION) throw new FrameError(`unsupported frame version ${buf[2]}`);
  if (buf[3] !== TYPE_HEARTBEAT && buf[3] !== TYPE_SIGNED_HEARTBEAT) throw new FrameError(`unknown message type ${buf[3]}`);
  const length = buf.readUInt16BE(4);
  if (length > MAX_PAYLOAD) throw new FrameError(`frame of ${length} bytes exceeds ${MAX_PAYLOAD}`);
  return HEADER_LENGTH + length + (buf[3] === TYPE_SIGNED_HEARTBEAT ? MAC_LENGTH : 0);
}

function split(frame: Buffer): RawFrame {
  const type = frame[3]!;
  const end = HEADER_LENGTH + frame.readUInt16BE(4);
  return {
    type,
    payload: frame.subarray(HEADER_LENGTH, end),
    signed: frame.subarray(0, end),
    mac: type === TYPE_SIGNED_HEARTBEAT ? frame.subarray(end, end + MAC_LENGTH) : null,
  };
}

/** One datagram is one whole frame. */
export function decodeDatagram(buf: Buffer): RawFrame {
  if (buf.length < HEADER_LENGTH) throw new FrameError(`datagram of ${buf.length} bytes is shorter than a header`);
  const length = frameLength(buf);
  if (buf.length !== length) throw new FrameError(`datagram length ${buf.length} does not match its header`);
  return split(buf);
}

/** Reassembles frames from a TCP stream; holds at most one frame's worth of bytes. */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): RawFrame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: RawFrame[] = [];
    while (this.buffer.length >= 2) {
      // check the magic as soon as it arrives, so garbage is refused without waiting for more
      if (this.buffer[0] !== MAGIC_0 || this.buffer[1] !== MAGIC_1) throw new FrameError('not a floatip frame (bad magic)');
      if (this.buffer.length < HEADER_LENGTH) break;
      const length = frameLength(this.buffer);
      if (this.buffer.length < length) break;
      out.push(split(this.buffer.subarray(0, length)));
      this.buffer = this.buffer.subarray(length);
    }
    return out;
  }

  get pendingBytes(): number {
    return this.buffer.length;
  }
}
