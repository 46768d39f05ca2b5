import type { FloatingAddress } from '../../domain/index.js';

/** Tells the segment's neighbours (gratuitous ARP; unsolicited neighbour advertisements for IPv6) that the address now lives here. */
export interface AnnouncerPort {
  /** Sends the first packet now and the rest spaced out; resolves when the first is sent. */
  announce(address: FloatingAddress, count: number): Promise<void>;
  /**
   * Drops the packets not sent yet: after a release they would point neighbours back here. With an address, only
   * that address's (one announcer serves every address of the node); without, every address's.
   */
  cancel(address?: FloatingAddress): void;
  /**
   * Forgets this host's own neighbour entries on the address's interface that never resolved. A host cut off from
   * its segment keeps them, and retries each only once a second: after the heal its replies to clients would wait
   * for that retry. Forgotten, they resolve with the next packet. Best effort: failures are only logged.
   */
  forgetUnresolvedNeighbours(address: FloatingAddress): Promise<void>;
}
export const ANNOUNCER_PORT = Symbol.for('floatip.AnnouncerPort');
