import { echoTiming } from '../../application/index.js';

/**
 * When a heartbeat link is dialled again. A healthy link that drops is redialled at once: a refused dial right
 * after a drop is how a killed daemon is told from a network fault. Anything else (a refused or failed dial, or
 * a peer that accepts and closes at once because it refuses what we send) waits, twice as long each time up to
 * a cap, so a peer that keeps refusing costs a few dials a minute, not thousands a second.
 */
export const REDIAL_BACKOFF = {
  /** No floor below this: even at 10 ms heartbeats a refused dial waits this long. */
  minBaseMs: 200,
  capMs: 5000,
};

/** The first wait after a failure: one heartbeat interval, at least minBaseMs. */
export function redialBaseMs(intervalMs: number): number {
  return Math.min(Math.max(intervalMs, REDIAL_BACKOFF.minBaseMs), REDIAL_BACKOFF.capMs);
}

/** The wait before the next dial after `failures` failures in a row (1 or more). */
export function redialDelayMs(failures: number, intervalMs: number): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 16);
  return Math.min(redialBaseMs(intervalMs) * 2 ** exponent, REDIAL_BACKOFF.capMs);
}

/**
 * A link that stayed up this long was taken as a peer's: the peer cuts off a connection that sends it nothing it
 * accepts within its idle limit (EchoTiming.idleLimitMs), so one closed sooner was refused.
 */
export function healthyLinkMs(echo: { readonly intervalMs: number; readonly timeoutMs: number }): number {
  return echoTiming(echo).idleLimitMs;
}
