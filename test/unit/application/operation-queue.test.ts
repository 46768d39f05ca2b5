import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OperationQueue } from '../../../src/application/services/operation-queue.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('one address operation at a time', () => {
  it('a decision asked for while an operation runs is asked again when it is done, once', async () => {
    let again = 0;
    const q = new OperationQueue(() => again++, async () => undefined);
    let finish!: () => void;
    q.run(() => new Promise<void>((r) => (finish = r)));
    assert.equal(q.deferIfBusy(), true);
    assert.equal(q.deferIfBusy(), true);
    assert.equal(again, 0);
    finish();
    await tick();
    assert.equal(again, 1);
    assert.equal(q.deferIfBusy(), false, 'idle again');
  });

  it('a failed operation goes to the failure handler, and the queue is free again', async () => {
    const failures: string[] = [];
    const q = new OperationQueue(() => undefined, async (err) => void failures.push((err as Error).message));
    q.run(async () => {
      throw new Error('bind failed');
    });
    await tick();
    assert.deepEqual(failures, ['bind failed']);
    assert.equal(q.deferIfBusy(), false);
  });

  it('drain waits for the running operation and asks nothing again (a stop)', async () => {
    let again = 0;
    const q = new OperationQueue(() => again++, async () => undefined);
    let finish!: () => void;
    q.run(() => new Promise<void>((r) => (finish = r)));
    q.deferIfBusy();
    const drained = q.drain();
    finish();
    await drained;
    await tick();
    assert.equal(again, 0);
  });
});
