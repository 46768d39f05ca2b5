import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, YamlConfigLoader, readSecretFile, type Nic } from '../../../src/infrastructure/index.js';

const HOST: Nic[] = [{ name: 'eth0', addresses: [{ ip: '198.18.0.11', netmask: '255.255.255.0' }], virtual: false, bridge: false, loopback: false }];
const dir = mkdtempSync(join(tmpdir(), 'floatip-guard-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const asRoot = process.getuid?.() === 0;

function file(name: string, text: string, mode: number, uid?: number): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  chmodSync(f, mode);
  if (uid !== undefined) chownSync(f, uid, 0);
  return f;
}
const refused = (pattern: RegExp) => (e: unknown): boolean => e instanceof ConfigError && pattern.test(e.message);
const CONFIG = 'floating_ip:\n  enabled: true\n  auth:\n    secret: 0123456789abcdef0123\n';

describe('the config file: floatip runs its hooks and checks as root', () => {
  const loader = new YamlConfigLoader({ list: () => HOST }, 0);

  it('refuses a file its group or every user may write, naming the fix', () => {
    const f = file('group-writable.yml', CONFIG, 0o664);
    assert.throws(() => loader.load(f), refused(new RegExp(`config file ${f}: its group can write it \\(mode 0664\\).*run chmod go-w ${f}`)));
    const g = file('world-writable.yml', CONFIG, 0o646);
    assert.throws(() => loader.load(g), refused(/every user can write it \(mode 0646\)/));
  });

  it('refuses a file that belongs to another user, unless floatip runs as that user', { skip: !asRoot && 'needs root to chown' }, () => {
    const f = file('foreign.yml', CONFIG, 0o600, 1000);
    assert.throws(() => loader.load(f), refused(new RegExp(`config file ${f} belongs to uid 1000, not to root or to the user floatip runs as \\(uid 0\\): run chown root ${f}`)));
    assert.equal(new YamlConfigLoader({ list: () => HOST }, 1000).load(f).kind, 'resolved');
  });

  it('warns when an inline secret sits in a file others can read, and not when it is private', () => {
    const open = loader.load(file('readable.yml', CONFIG, 0o644));
    assert.match(open.warnings.join('\n'), /floating_ip\.auth\.secret: the secret is written in .*readable\.yml, which every user can read \(mode 0644\).*chmod 600/);
    assert.deepEqual(loader.load(file('private.yml', CONFIG, 0o600)).warnings, []);
  });
});

describe('the secret file is opened once and checked on the handle', () => {
  it('refuses a symbolic link, even to a good file', () => {
    const target = file('secret-target', 'a-long-enough-secret-1\n', 0o600);
    const link = join(dir, 'secret-link');
    symlinkSync(target, link);
    assert.throws(() => readSecretFile(link, 0), refused(/secret-link is a symbolic link; floatip does not follow links to secrets/));
  });

  it('refuses what is not a regular file, without waiting on a FIFO', () => {
    const fifo = join(dir, 'secret-fifo');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    assert.throws(() => readSecretFile(fifo, 0), refused(/secret-fifo is not a regular file/));
    assert.throws(() => readSecretFile(dir, 0), refused(/is not a regular file/));
  });

  it('refuses a file others may write, and one of another user', { skip: !asRoot && 'needs root to chown' }, () => {
    assert.throws(() => readSecretFile(file('secret-w', 'a-long-enough-secret-1\n', 0o622), 0), refused(/is writable by others \(mode 0622\): run chmod 600/));
    const f = file('secret-foreign', 'a-long-enough-secret-1\n', 0o600, 1000);
    assert.throws(() => readSecretFile(f, 0), refused(/belongs to uid 1000, not to root or to the user floatip runs as \(uid 0\): run chown root/));
  });
});
