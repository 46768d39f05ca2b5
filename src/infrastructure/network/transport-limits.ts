import { DROP_LOG_LIMITS } from './drop-log.js';

/** Bounds that keep a hostile or broken client from costing memory, CPU or other peers' heartbeats. */
export const TRANSPORT_LIMITS = {
  maxInboundConnections: 128,
  /** Per remote address: a scanner from one host cannot take every slot. */
  maxInboundPerAddress: 4,
  /** A socket whose unsent bytes pile up past this is a stuck peer: drop it rather than buffer. */
  maxQueuedBytes: 64 * 1024,
  /** Log at most this many dropped inputs a minute; the rest are counted. */
  dropLogsPerMinute: DROP_LOG_LIMITS.perMinute,
};
