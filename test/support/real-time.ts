import assert from 'node:assert/strict';

/** For tests on real sockets and timers, where virtual time cannot reach. */
export const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every `everyMs` until it holds, or fails naming `what` after `ms`. */
export async function until(what: string, cond: () => boolean, ms = 3000, everyMs = 10): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await wait(everyMs);
  }
}
