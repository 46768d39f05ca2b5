import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

// The bundled CLI (the bin) of this build. Only commands that touch nothing run here: no namespace needed.
const CLI = fileURLToPath(new URL('../../../bin/floatip.mjs', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the floatip process: streams and exit codes of the command line', () => {
  it('no arguments: the usage on stdout, exit 0', () => {
    const r = cli([]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: floatip run /);
    assert.equal(r.stderr, '');
  });

  it('run --help: its own help on stdout, exit 0', () => {
    const r = cli(['run', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: floatip run .*\n\nHold the floating IP/);
    assert.equal(r.stderr, '');
  });

  it('an unknown option: one error line and that command\'s usage on stderr, exit 2', () => {
    const r = cli(['check', '--bogus']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'floatip: check: unknown option "--bogus"\nusage: floatip check   [-c FILE|--config=FILE]\n(floatip help check for more)\n');
  });

  it('--version prints the package version', () => {
    const r = cli(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${VERSION}\n`);
  });

  it('check --config=FILE reads that file: a missing one exits 2 naming it', () => {
    const r = cli(['check', '--config=/nonexistent/floatip.yml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read config file \/nonexistent\/floatip\.yml: ENOENT/);
  });
});
