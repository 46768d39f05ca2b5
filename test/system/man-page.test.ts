// floatip(8): the converter's roff renders without a single groff warning, the page has the sections
// an operator looks for, and it documents every key the configuration accepts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, run } from '../support/system-run.js';

const SOURCE = join(REPO_ROOT, 'docs', 'floatip.8.md');
const SECTIONS = ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'OPTIONS', 'CONFIGURATION', 'EXIT STATUS', 'SIGNALS', 'ENVIRONMENT', 'FILES', 'SEE ALSO'];

/** Every key of the floating_ip: section, read from the DTO classes: nested ones as echo.port etc. */
/** Every key of the DTOs, named as a file writes it (the quorum section's under quorum., its etcd mapping's under quorum.etcd.). */
function configKeys(): string[] {
  const keys: string[] = [];
  const prefixes: Record<string, string> = { FloatingIp: '', Check: '', Quorum: 'quorum.', Etcd: 'quorum.etcd.' };
  for (const file of ['floating-ip.config-dto.ts', 'quorum.config-dto.ts']) {
    const dto = readFileSync(join(REPO_ROOT, 'src', 'infrastructure', 'config', file), 'utf8');
    for (const [, cls, body] of dto.matchAll(/export class (\w+)ConfigDto \{([\s\S]*?)\n\}/g)) {
      const prefix = prefixes[cls!] ?? `${cls!.toLowerCase()}.`;
      for (const [, key] of body!.matchAll(/(\w+)[?!]: /g)) keys.push(`${prefix}${key}`);
    }
  }
  return keys;
}

describe('man page floatip(8)', () => {
  let tmp: string;
  let roff: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'floatip-man-'));
    roff = join(tmp, 'floatip.8');
    run(process.execPath, [join(REPO_ROOT, 'scripts', 'build-man.mjs'), SOURCE, roff]);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('renders with groff -man -ww without a warning', () => {
    const r = spawnSync('groff', ['-man', '-ww', '-z', '-Tutf8', roff], { encoding: 'utf8' });
    assert.equal(r.error, undefined, `groff: ${r.error?.message} (apt-get install groff-base)`);
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
  });

  it('has the usual sections, a title with the version, and only ASCII roff', () => {
    const text = readFileSync(roff, 'utf8');
    for (const s of SECTIONS) assert.match(text, new RegExp(`^\\.SH "${s}"$`, 'm'));
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    assert.match(text, new RegExp(`^\\.TH FLOATIP 8 "\\d{4}-\\d\\d-\\d\\d" "floatip ${version.replace(/\./g, '\\.')}" `, 'm'));
    assert.match(text, /^floatip \\- /m, 'NAME uses roff\'s minus, for whatis');
    assert.doesNotMatch(text, /[^\t\n\x20-\x7e]/);
  });

  it('documents every configuration key', () => {
    const md = readFileSync(SOURCE, 'utf8');
    const keys = configKeys();
    assert.ok(keys.length > 30, `read only ${keys.length} keys from the DTO`);
    // a section (echo, notify…) is documented through its keys: **echo.port**
    const missing = keys.filter((k) => !md.includes(`**${k}**`) && !md.includes(`**${k}.`));
    assert.deepEqual(missing, [], `keys the man page does not name in bold: ${missing.join(', ')}`);
  });
});
