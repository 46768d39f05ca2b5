import type { HeartbeatMessage } from '../../domain/index.js';
import type { FrameAuthenticator } from './frame-authenticator.js';
import { encodeFrame } from './frame-codec.js';

/** The JSON field of a TCP frame that asks the receiver for its heartbeats over TCP too. */
export const ASK_TCP = 'tcp';

/** A heartbeat's frames, each encoded at most once per send: plain, and asking the receiver for TCP. */
export class FrameCache {
  private plain: Buffer | null = null;
  private asking: Buffer | null = null;

  constructor(
    readonly msg: HeartbeatMessage,
    private readonly auth: FrameAuthenticator | null,
  ) {}

  get(asking: boolean): Buffer {
    if (asking) return (this.asking ??= encodeFrame(this.msg, this.auth?.signer, { [ASK_TCP]: 1 }));
    return (this.plain ??= encodeFrame(this.msg, this.auth?.signer));
  }
}
