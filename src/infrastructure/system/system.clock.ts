import type { ClockPort, TimerHandle } from '../../application/index.js';

interface RealHandle extends TimerHandle {
  timer: NodeJS.Timeout;
}

let nextId = 1;

/** Monotonic: wall-clock jumps (NTP, a manual date) must not expire or stretch leases. */
export class SystemClock implements ClockPort {
  now(): number {
    return Math.round(performance.now());
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle: RealHandle = { id: nextId++, timer: setTimeout(callback, ms) };
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    clearTimeout((handle as RealHandle).timer);
  }
}
