export type TimerHandle = { readonly id: number };

/** Time is a port so elections and leases can be tested in virtual time. */
export interface ClockPort {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
export const CLOCK_PORT = Symbol.for('floatip.ClockPort');
