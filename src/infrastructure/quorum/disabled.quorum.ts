import type { QuorumPort } from '../../application/index.js';
import type { QuorumKey } from '../../domain/index.js';

/** The heartbeat mode's quorum port: nothing is followed, and a campaign (which the machine never asks for here) finds no store. */
export class DisabledQuorum implements QuorumPort {
  start(): Promise<void> {
    return Promise.resolve();
  }

  follow(): () => void {
    return () => {};
  }

  campaign(): Promise<QuorumKey> {
    return Promise.resolve({ kind: 'unreachable', why: 'quorum mode is off' });
  }

  resign(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
