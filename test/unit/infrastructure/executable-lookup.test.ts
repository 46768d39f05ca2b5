import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findExecutable } from '../../../src/infrastructure/index.js';

describe('executable look-up, as execvp resolves a program', () => {
  let dir: string;
  let bin: string;
  let other: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'floatip-exec-'));
    bin = join(dir, 'bin');
    other = join(dir, 'other');
    mkdirSync(bin);
    mkdirSync(other);
    const file = (path: string, mode: number): void => {
      writeFileSync(path, '#!/bin/sh\nexit 0\n');
      chmodSync(path, mode);
    };
    file(join(bin, 'hook'), 0o755);
    file(join(bin, 'plain'), 0o644);
    file(join(other, 'plain'), 0o700);
    file(join(other, 'hook'), 0o755);
    mkdirSync(join(bin, 'adir'));
    symlinkSync(join(bin, 'hook'), join(bin, 'link'));
    symlinkSync(join(dir, 'missing'), join(bin, 'dangling'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an absolute path to an executable file is found', () => {
    assert.deepEqual(findExecutable(join(bin, 'hook'), ''), { found: true, path: join(bin, 'hook') });
    assert.deepEqual(findExecutable(join(bin, 'link'), ''), { found: true, path: join(bin, 'link') });
  });

  it('a relative path is taken from the working directory, not from PATH', () => {
    assert.deepEqual(findExecutable('bin/hook', other, dir), { found: true, path: join(bin, 'hook') });
    assert.deepEqual(findExecutable('./hook', bin, other), { found: true, path: join(other, 'hook') });
    assert.deepEqual(findExecutable('./nope', bin, dir), { found: false, problem: './nope does not exist' });
  });

  it('a missing file, a directory, a file without x, a dangling link: each says why', () => {
    assert.deepEqual(findExecutable(join(bin, 'nope'), bin), { found: false, problem: `${join(bin, 'nope')} does not exist` });
    assert.deepEqual(findExecutable(join(bin, 'adir'), bin), { found: false, problem: `${join(bin, 'adir')} is a directory` });
    assert.deepEqual(findExecutable(join(bin, 'plain'), bin), { found: false, problem: `${join(bin, 'plain')} is not executable (mode 0644)` });
    assert.deepEqual(findExecutable(join(bin, 'dangling'), bin), { found: false, problem: `${join(bin, 'dangling')} does not exist` });
    assert.deepEqual(findExecutable(join(bin, 'hook', 'x'), bin), { found: false, problem: `${join(bin, 'hook', 'x')} does not exist` });
    assert.deepEqual(findExecutable('', bin), { found: false, problem: 'the program name is empty' });
  });

  it('a bare name is searched on PATH in order; the first executable regular file wins', () => {
    assert.deepEqual(findExecutable('hook', `${bin}:${other}`), { found: true, path: join(bin, 'hook') });
    assert.deepEqual(findExecutable('hook', `${other}:${bin}`), { found: true, path: join(other, 'hook') });
    // not executable in bin: execvp goes on to the next directory
    assert.deepEqual(findExecutable('plain', `${bin}:${other}`), { found: true, path: join(other, 'plain') });
  });

  it('a bare name nowhere on PATH names PATH, and what it skipped', () => {
    assert.deepEqual(findExecutable('nope', `${bin}:${other}`), { found: false, problem: `nope: not found on PATH (${bin}:${other})` });
    assert.deepEqual(findExecutable('plain', bin), {
      found: false,
      problem: `plain: not found on PATH (${bin}); ${join(bin, 'plain')} is not executable (mode 0644)`,
    });
    assert.deepEqual(findExecutable('adir', bin), { found: false, problem: `adir: not found on PATH (${bin}); ${join(bin, 'adir')} is a directory` });
  });

  it("an empty PATH entry is the working directory, as execvp's", () => {
    assert.deepEqual(findExecutable('hook', `:${bin}`, other), { found: true, path: join(other, 'hook') });
    assert.deepEqual(findExecutable('hook', '', other), { found: true, path: join(other, 'hook') });
  });

  it('a real program is found on the real PATH', () => {
    const sh = findExecutable('sh');
    assert.equal(sh.found, true, JSON.stringify(sh));
  });
});
