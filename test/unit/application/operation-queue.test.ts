import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OperationQueue } from '../../../src/application/services/operation-queue.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('the operations a stop waits for', () => {
  it('drain waits for the running operation, and for one started while it ran', async () => {
    const q = new OperationQueue();
    let finishFirst!: () => void;
    let finishSecond!: () => void;
    const done: string[] = [];
    q.run(new Promise<void>((r) => (finishFirst = r)).then(() => {
      done.push('first');
      // the first one's end starts another (a failed bind's clean-up release)
      q.run(new Promise<void>((r) => (finishSecond = r)).then(() => void done.push('second')));
    }));
    let drained = false;
    const draining = q.drain().then(() => (drained = true));
    finishFirst();
    await tick();
    assert.equal(drained, false, 'the second still runs');
    finishSecond();
    await draining;
    assert.deepEqual(done, ['first', 'second']);
    assert.equal(q.busy, false);
  });

  it('an operation that rejects still ends: the queue is free again and drain returns', async () => {
    const q = new OperationQueue();
    q.run(Promise.reject(new Error('a bug in a report')));
    await q.drain();
    assert.equal(q.busy, false);
  });
});
