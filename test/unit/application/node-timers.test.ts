import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeTimers } from '../../../src/application/services/node-timers.js';
import { FakeClock } from '../../support/fake-clock.js';

describe("a node's timers", () => {
  it('keeps one deadline per kind: set replaces it, ensure keeps the one already set', async () => {
    const clock = new FakeClock();
    const timers = new NodeTimers(clock);
    const fired: string[] = [];
    timers.set('tick', 100, () => fired.push('tick@100'));
    timers.set('tick', 300, () => fired.push('tick@300'));
    timers.ensure('recheck', 50, () => fired.push('recheck@50'));
    timers.ensure('recheck', 10, () => fired.push('recheck@10'));
    await clock.advance(1000);
    assert.deepEqual(fired, ['recheck@50', 'tick@300']);
  });

  it('forgets a deadline before its callback runs, so the callback may set it again', async () => {
    const clock = new FakeClock();
    const timers = new NodeTimers(clock);
    let n = 0;
    const again = (): void => {
      n++;
      assert.equal(timers.isSet('tick'), false);
      if (n < 3) timers.set('tick', 100, again);
    };
    timers.set('tick', 100, again);
    await clock.advance(1000);
    assert.equal(n, 3);
  });

  it('clearAll drops every deadline and every pending one-shot: nothing fires after a stop', async () => {
    const clock = new FakeClock();
    const timers = new NodeTimers(clock);
    const fired: string[] = [];
    timers.set('expiry', 100, () => fired.push('expiry'));
    timers.after(25, () => fired.push('one-shot'));
    timers.after(30, () => fired.push('another'));
    timers.clearAll();
    await clock.advance(1000);
    assert.deepEqual(fired, []);
    assert.equal(timers.isSet('expiry'), false);
  });
});
