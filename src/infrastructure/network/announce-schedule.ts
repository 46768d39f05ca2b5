import type { FloatingAddress } from '../../domain/index.js';

export const ANNOUNCE_SPACING_MS = 1000;
/** A packet whose time came this much earlier is not sent (see AnnounceSchedule.start). */
const ANNOUNCE_LATE_MS = ANNOUNCE_SPACING_MS / 2;

/**
 * The timing every announcer shares: the first packet at once, the rest ANNOUNCE_SPACING_MS apart, each its own
 * short command, so a release (or this daemon's death) stops a burst between two packets. The packets still to come
 * are kept per address, because one announcer serves every address of the node and a release cancels only its own.
 */
export class AnnounceSchedule {
  private readonly pending = new Map<string, Set<NodeJS.Timeout>>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Resolves (or fails) with the first packet; a later one that fails is dropped, as the next will follow. */
  async start(address: FloatingAddress, count: number, send: () => Promise<void>): Promise<void> {
    const key = keyOf(address);
    const timers = this.pending.get(key) ?? new Set<NodeJS.Timeout>();
    this.pending.set(key, timers);
    const startedAt = this.now();
    for (let i = 1; i < count; i++) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (timers.size === 0 && this.pending.get(key) === timers) this.pending.delete(key);
        // Met late, the daemon stalled (SIGSTOP, a starved CPU) with its peers' heartbeats unread: the address may
        // have moved meanwhile, and an announcement now would pull clients back to this host.
        if (this.now() - startedAt - i * ANNOUNCE_SPACING_MS > ANNOUNCE_LATE_MS) return;
        send().catch(() => undefined);
      }, i * ANNOUNCE_SPACING_MS);
      timers.add(timer);
    }
    if (timers.size === 0) this.pending.delete(key);
    await send();
  }

  /** Drops the packets not sent yet: the address's, or every address's. */
  cancel(address?: FloatingAddress): void {
    const keys = address ? [keyOf(address)] : [...this.pending.keys()];
    for (const key of keys) {
      for (const t of this.pending.get(key) ?? []) clearTimeout(t);
      this.pending.delete(key);
    }
  }
}

function keyOf(address: FloatingAddress): string {
  return `${address.interfaceName} ${address.ip.toString()}`;
}
