import { FloatipError, toWire, type HeartbeatMessage } from '../../domain/index.js';

/** "FI", protocol version, message type, then a big-endian payload length and the JSON payload. */
const MAGIC_0 = 0x46;
const MAGIC_1 = 0x49;
export const FRAME_VERSION = 1;
export const TYPE_HEARTBEAT = 1;
export const HEADER_LENGTH = 6;
export const MAX_PAYLOAD = 512;

export class FrameError extends FloatipError {
  readonly code = 'FLOATIP_BAD_FRAME';
}

export function encodeFrame(msg: HeartbeatMessage): Buffer {
  const payload = Buffer.from(JSON.stringify(toWire(msg)), 'utf8');
  if (payload.length > MAX_PAYLOAD) throw new FrameError(`heartbeat of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`);
  const header = Buffer.from([MAGIC_0, MAGIC_1, FRAME_VERSION, TYPE_HEARTBEAT, 0, 0]);
  header.writeUInt16BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function readHeader(buf: Buffer): number {
  if (buf[0] !== MAGIC_0 || buf[1] !== MAGIC_1) throw new FrameError('not a floatip frame (bad magic)');
  if (buf[2] !== FRAME_VERSION) throw new FrameError(`unsupported frame version ${buf[2]}`);
  if (buf[3] !== TYPE_HEARTBEAT) throw new FrameError(`unknown message type ${buf[3]}`);
  const length = buf.readUInt16BE(4);
  if (length > MAX_PAYLOAD) throw new FrameError(`frame of ${length} bytes exceeds ${MAX_PAYLOAD}`);
  return length;
}

function parsePayload(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    throw new FrameError('payload is not JSON');
  }
}

/** One datagram is one whole frame. */
export function decodeDatagram(buf: Buffer): unknown {
  if (buf.length < HEADER_LENGTH) throw new FrameError(`datagram of ${buf.length} bytes is shorter than a header`);
  const length = readHeader(buf);
  if (buf.length !== HEADER_LENGTH + length) throw new FrameError(`datagram length ${buf.length} does not match its header`);
  return parsePayload(buf.subarray(HEADER_LENGTH));
}

/** Reassembles frames from a TCP stream; holds at most one frame's worth of bytes. */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): unknown[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: unknown[] = [];
    while (this.buffer.length >= 2) {
      // check the magic as soon as it arrives, so garbage is refused without waiting for more
      if (this.buffer[0] !== MAGIC_0 || this.buffer[1] !== MAGIC_1) throw new FrameError('not a floatip frame (bad magic)');
      if (this.buffer.length < HEADER_LENGTH) break;
      const length = readHeader(this.buffer);
      if (this.buffer.length < HEADER_LENGTH + length) break;
      out.push(parsePayload(this.buffer.subarray(HEADER_LENGTH, HEADER_LENGTH + length)));
      this.buffer = this.buffer.subarray(HEADER_LENGTH + length);
    }
    return out;
  }

  get pendingBytes(): number {
    return this.buffer.length;
  }
}
