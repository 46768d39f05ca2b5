import type { FloatingAddress } from '../../domain/index.js';

/** Tells the segment's neighbours (gratuitous ARP) that the address now lives here. */
export interface AnnouncerPort {
  announce(address: FloatingAddress, count: number): Promise<void>;
}
export const ANNOUNCER_PORT = Symbol.for('floatip.AnnouncerPort');
