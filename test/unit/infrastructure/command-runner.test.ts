// runCommand with real processes: an answer is taken when it is printed, and a deadline is judged after the output
// already waiting is read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandFailedError, findTool, runCommand } from '../../../src/infrastructure/index.js';

const SH = findTool('sh', '/bin:/usr/bin') ?? '/bin/sh';
const REPLY = 'Unicast reply from 198.18.0.100 [FA:7B:FB:C0:35:16]  0.546ms';

describe('runCommand', () => {
  it('a tool that prints its answer and then lingers is done at the answer (doneWhen), and is killed', async () => {
    const started = Date.now();
    const r = await runCommand(SH, ['-c', `echo '${REPLY}'; sleep 5`], 3000, { doneWhen: (out) => out.includes('reply from') });
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    assert.equal(r.stdout.trim(), REPLY);
    assert.deepEqual([r.code, r.timedOut], [null, false]);
  });

  it('an answer that came in time counts even when this process stood still past the deadline', async () => {
    const pending = runCommand(SH, ['-c', 'echo done'], 20);
    const until = Date.now() + 300;
    while (Date.now() < until); // the event loop blocked: the exit and the deadline are both due when it runs again
    const r = await pending;
    assert.deepEqual([r.code, r.stdout, r.timedOut], [0, 'done\n', false]);
  });

  it('a hang is cut at its deadline', async () => {
    const started = Date.now();
    const r = await runCommand(SH, ['-c', 'sleep 5'], 100);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.deepEqual([r.code, r.timedOut], [null, true]);
  });

  it('a tool that exits in time but leaves a child holding its output is not waited for past the deadline', async () => {
    const started = Date.now();
    const r = await runCommand(SH, ['-c', 'echo early; sleep 5 &'], 200);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.deepEqual([r.code, r.stdout, r.timedOut], [0, 'early\n', false]);
  });

  it('a tool that cannot start is an error, not a result', async () => {
    await assert.rejects(runCommand('/nonexistent/floatip-tool', [], 1000), CommandFailedError);
  });
});
