// Held commands with real processes: a "tool" that only writes down its arguments.
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
  let shell: string;
  const fallbacks: string[][] = [];
  const fallback: RunCommand = (file, args, timeoutMs) => {
    fallbacks.push([...args]);
    return runCommand(file, args, timeoutMs);
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'floatip-prepared-'));
    ran = join(dir, 'ran');
    tool = join(dir, 'tool');
    writeFileSync(tool, `#!/bin/sh\necho "$@" >> ${ran}\necho "out $1"\n[ "$1" != fail ] || { echo nope >&2; exit 3; }\n`);
    chmodSync(tool, 0o755);
    shell = findTool('sh', '/bin:/usr/bin') ?? '/bin/sh';
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a held command once, with its arguments untouched by the shell, and falls back for anything else', async () => {
    fallbacks.length = 0;
    const prepared = new PreparedCommands(shell, fallback);
    const odd = ['a b', '$HOME', ';', '*'];
    prepared.prepare({ file: tool, args: odd });
    await sleep(200);
    assert.ok(!existsSync(ran), 'nothing runs until asked');
    const r = await prepared.run(tool, odd, 2000);
    assert.deepEqual({ code: r.code, stdout: r.stdout, timedOut: r.timedOut }, { code: 0, stdout: 'out a b\n', timedOut: false });
    assert.equal(readFileSync(ran, 'utf8'), 'a b $HOME ; *\n');
    assert.deepEqual(fallbacks, [], 'the held shell ran it');
    // used: started again only a second later, so a second run right away goes the usual way
    await prepared.run(tool, odd, 2000);
    await prepared.run(tool, ['other'], 2000);
    assert.deepEqual(fallbacks, [odd, ['other']]);
    prepared.stop();
  });

  it('reports a failing command like the usual way does', async () => {
    const prepared = new PreparedCommands(shell, fallback);
    prepared.prepare({ file: tool, args: ['fail'] });
    await sleep(100);
    const r = await prepared.run(tool, ['fail'], 2000);
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'nope\n');
    prepared.stop();
  });

  it('a held shell whose input closes runs nothing', async () => {
    rmSync(ran, { force: true });
    const prepared = new PreparedCommands(shell, fallback);
    prepared.prepare({ file: tool, args: ['never'] });
    await sleep(200);
    prepared.stop();
    await sleep(300);
    assert.ok(!existsSync(ran), 'the command ran after its shell was let go');
  });
});
