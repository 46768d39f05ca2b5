import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { ANNOUNCE_SPACING_MS, AnnounceSchedule } from '../../../src/infrastructure/network/announce-schedule.js';
import { anAddress } from '../../support/builders.js';

/** A burst on mocked timers, with a clock the test can jump forward as a stall would. */
class BurstBench {
  clock = 0;
  sent: number[] = [];
  readonly schedule = new AnnounceSchedule(() => this.clock);

  start(count: number): Promise<void> {
    return this.schedule.start(anAddress(), count, async () => {
      this.sent.push(this.clock);
    });
  }

  /** Real time passes: the mocked timers and the clock move together. */
  pass(ms: number): void {
    this.clock += ms;
    mock.timers.tick(ms);
  }
}

describe('AnnounceSchedule', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('sends the first packet at once and the rest one spacing apart', async () => {
    const bench = new BurstBench();
    await bench.start(3);
    bench.pass(ANNOUNCE_SPACING_MS);
    bench.pass(ANNOUNCE_SPACING_MS);
    await Promise.resolve();
    assert.deepEqual(bench.sent, [0, ANNOUNCE_SPACING_MS, 2 * ANNOUNCE_SPACING_MS]);
  });

  it('drops the packets whose time came while the daemon stalled: the address may have moved meanwhile', async () => {
    const bench = new BurstBench();
    await bench.start(3);
    // SIGSTOP for five seconds: the timers fire late, all at once, when the daemon runs again
    bench.clock += 5000;
    bench.pass(2 * ANNOUNCE_SPACING_MS);
    await Promise.resolve();
    assert.deepEqual(bench.sent, [0]);
  });
});
