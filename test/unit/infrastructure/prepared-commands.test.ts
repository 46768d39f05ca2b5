// Held commands with real processes: a "tool" that only writes down its pid and arguments, and a "shell" that writes
// down the pid of each shell held. A held shell execs the tool in its own process, so a tool run whose pid is a held
// shell's ran in that shell; a run the usual way has a pid of its own.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PreparedCommands, findTool, runCommand, type RunCommand } from '../../../src/infrastructure/index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('prepared commands', () => {
  let dir: string;
  let tool: string;
  let ran: string;
  let heldLog: string;
  let shell: string;
  const fallbacks: string[][] = [];
  const fallback: RunCommand = (file, args, timeoutMs) => {
    fallbacks.push([...args]);
    return runCommand(file, args, timeoutMs);
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'floatip-prepared-'));
    ran = join(dir, 'ran');
    heldLog = join(dir, 'held');
    tool = join(dir, 'tool');
    writeFileSync(tool, `#!/bin/sh\necho "$$ $*" >> ${ran}\necho "out $1"\n[ "$1" != fail ] || { echo nope >&2; exit 3; }\n`);
    chmodSync(tool, 0o755);
    const sh = findTool('sh', '/bin:/usr/bin') ?? '/bin/sh';
    shell = join(dir, 'shell');
    writeFileSync(shell, `#!${sh}\necho "$$" >> ${heldLog}\nexec ${sh} "$@"\n`);
    chmodSync(shell, 0o755);
  });
  /** Each run of the tool so far: its pid, its arguments, and whether that pid was a held shell's. */
  const runs = (): { args: string; held: boolean }[] => {
    const held = new Set(existsSync(heldLog) ? readFileSync(heldLog, 'utf8').split('\n').filter(Boolean) : []);
    if (!existsSync(ran)) return [];
    return readFileSync(ran, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => ({ args: line.slice(line.indexOf(' ') + 1), held: held.has(line.slice(0, line.indexOf(' '))) }));
  };
  const heldShells = (): number => (existsSync(heldLog) ? readFileSync(heldLog, 'utf8').split('\n').filter(Boolean).length : 0);
  const fresh = (): void => {
    rmSync(ran, { force: true });
    rmSync(heldLog, { force: true });
    fallbacks.length = 0;
  };
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a held command once, with its arguments untouched by the shell, and falls back for anything else', async () => {
    fresh();
    const prepared = new PreparedCommands(shell, fallback);
    const odd = ['a b', '$HOME', ';', '*'];
    prepared.prepare({ file: tool, args: odd });
    await sleep(200);
    assert.equal(heldShells(), 1, 'one shell is held');
    assert.deepEqual(runs(), [], 'nothing runs until asked');
    const r = await prepared.run(tool, odd, 2000);
    assert.deepEqual({ code: r.code, stdout: r.stdout, timedOut: r.timedOut }, { code: 0, stdout: 'out a b\n', timedOut: false });
    assert.deepEqual(runs(), [{ args: 'a b $HOME ; *', held: true }], 'the held shell ran it, with its arguments as they were');
    assert.deepEqual(fallbacks, []);
    // used: started again only a second later, so a second run right away goes the usual way
    await prepared.run(tool, odd, 2000);
    await prepared.run(tool, ['other'], 2000);
    assert.deepEqual(fallbacks, [odd, ['other']]);
    assert.deepEqual(runs().slice(1), [
      { args: 'a b $HOME ; *', held: false },
      { args: 'other', held: false },
    ]);
    prepared.stop();
  });

  it('reports a failing command like the usual way does', async () => {
    fresh();
    const prepared = new PreparedCommands(shell, fallback);
    prepared.prepare({ file: tool, args: ['fail'] });
    await sleep(100);
    const r = await prepared.run(tool, ['fail'], 2000);
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'nope\n');
    assert.deepEqual(runs(), [{ args: 'fail', held: true }], 'it failed in the held shell, not the usual way');
    assert.deepEqual(fallbacks, []);
    prepared.stop();
  });

  it('a held shell whose input closes runs nothing', async () => {
    fresh();
    const prepared = new PreparedCommands(shell, fallback);
    prepared.prepare({ file: tool, args: ['never'] });
    await sleep(200);
    assert.equal(heldShells(), 1, 'the shell was held');
    prepared.stop();
    await sleep(300);
    assert.deepEqual(runs(), [], 'the command ran after its shell was let go');
    assert.deepEqual(fallbacks, []);
  });
});
