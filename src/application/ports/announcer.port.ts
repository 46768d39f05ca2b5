import type { FloatingAddress } from '../../domain/index.js';

/** Tells the segment's neighbours (gratuitous ARP) that the address now lives here. */
export interface AnnouncerPort {
  /** Sends the first packet now and the rest spaced out; resolves when the first is sent. */
  announce(address: FloatingAddress, count: number): Promise<void>;
  /** Drops the packets not sent yet: after a release they would point neighbours back here. */
  cancel(): void;
}
export const ANNOUNCER_PORT = Symbol.for('floatip.AnnouncerPort');
