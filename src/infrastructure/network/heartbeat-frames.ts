import type { HeartbeatBatch, HeartbeatMessage } from '../../domain/index.js';
import type { FrameAuthenticator } from './frame-authenticator.js';
import { encodeBatchFrame, encodeFrame } from './frame-codec.js';

/** The JSON field of a TCP frame that asks the receiver for its heartbeats over TCP too. */
export const ASK_TCP = 'tcp';

/**
 * A send's frames, each encoded at most once: plain, and asking the receiver for TCP. One message goes as protocol
 * v1 (what a single-address node speaks); a batch (a node of several addresses) as v2.
 */
export class FrameCache {
  private plain: Buffer | null = null;
  private asking: Buffer | null = null;

  constructor(
    readonly content: HeartbeatMessage | HeartbeatBatch,
    private readonly auth: FrameAuthenticator | null,
  ) {}

  get(asking: boolean): Buffer {
    if (asking) return (this.asking ??= this.encode({ [ASK_TCP]: 1 }));
    return (this.plain ??= this.encode());
  }

  private encode(extra?: Record<string, number>): Buffer {
    const c = this.content;
    return 'messages' in c ? encodeBatchFrame(c, this.auth?.signer, extra) : encodeFrame(c, this.auth?.signer, extra);
  }
}
