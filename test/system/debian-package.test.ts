// The .deb from `npm run package:deb`: its control fields and paths, then a real install and purge into a
// throw-away root (dpkg --root, maintainer scripts run chrootless with DPKG_ROOT set). Nothing of the host
// changes: the test compares the host's user database before and after.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, packageVersion, run } from '../support/system-run.js';

const MAIN = 'usr/lib/floatip/dist/bin/floatip.mjs';
const PATHS = [
  MAIN,
  'usr/lib/floatip/package.json',
  'usr/lib/floatip/node_modules/yaml/package.json',
  'usr/bin/floatip',
  'usr/lib/systemd/system/floatip.service',
  'usr/lib/sysusers.d/floatip.conf',
  'etc/floatip/floatip.yml',
  'usr/share/man/man8/floatip.8.gz',
  'usr/share/doc/floatip/copyright',
];

function installSkipReason(): string | false {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('not running as root');
  if (spawnSync('sh', ['-c', 'command -v dpkg']).status !== 0) problems.push('dpkg not installed');
  if (problems.length === 0) return false;
  const reason = `installing the .deb needs root and dpkg: ${problems.join(', ')}`;
  if (process.env['CI'] === 'true') throw new Error(`${reason} (CI=true: it must run)`);
  return reason;
}

const hostUsers = (): string => ['/etc/passwd', '/etc/group'].map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : '')).join('\n');

describe('Debian package', () => {
  let out: string;
  let deb: string;

  before(() => {
    out = mkdtempSync(join(tmpdir(), 'floatip-deb-out-'));
    run('npm', ['run', '--silent', 'package:deb', '--', '--out', out], { cwd: REPO_ROOT });
    const debs = readdirSync(out).filter((f) => f.endsWith('.deb'));
    assert.equal(debs.length, 1, `expected one .deb in ${out}: ${debs.join(', ')}`);
    deb = join(out, debs[0]!);
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('is named and versioned from package.json, for every architecture, with the tools it runs as dependencies', () => {
    const version = packageVersion().replace('-', '~');
    assert.equal(deb, join(out, `floatip_${version}_all.deb`));
    const fields = Object.fromEntries(
      run('dpkg-deb', ['-f', deb, 'Package', 'Version', 'Architecture', 'Depends'])
        .stdout.trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
    );
    assert.equal(fields['Package'], 'floatip');
    assert.equal(fields['Version'], version);
    assert.equal(fields['Architecture'], 'all');
    const depends = String(fields['Depends']).split(',').map((d) => d.trim());
    for (const d of ['nodejs (>= 20.19)', 'net-tools | iproute2', 'iputils-ping', 'iputils-arping']) assert.ok(depends.includes(d), `Depends lacks ${d}: ${fields['Depends']}`);
  });

  it('holds the daemon, the unit, the config, the man page and the copyright, and no source maps or tests', () => {
    const paths = run('dpkg-deb', ['-c', deb]).stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[5]!.replace(/^\.\//, ''));
    for (const p of PATHS) assert.ok(paths.includes(p), `${p} is missing from the package`);
    const stray = paths.filter((p) => /\.map$|\.ts$|\/test\/|^usr\/lib\/floatip\/(src|scripts|docs)\//.test(p) && !p.includes('/node_modules/'));
    assert.deepEqual(stray, []);
    assert.ok(!paths.some((p) => p.endsWith('.map')), 'no source maps, also none of the dependencies');
  });

  it('installs into a throw-away root, registers its conffile and user, runs, and purges', (t) => {
    const skip = installSkipReason();
    if (skip) return t.skip(skip);
    const root = mkdtempSync(join(tmpdir(), 'floatip-deb-root-'));
    const before = hostUsers();
    try {
      const admin = join(root, 'var', 'lib', 'dpkg');
      for (const d of ['updates', 'info', 'triggers', 'alternatives']) mkdirSync(join(admin, d), { recursive: true });
      for (const f of ['status', 'available']) writeFileSync(join(admin, f), '');
      mkdirSync(join(root, 'etc'));
      // --force-depends: the throw-away root has no nodejs; the maintainer scripts run on this host with DPKG_ROOT
      run('dpkg', [`--root=${root}`, '--force-script-chrootless', '--force-depends', '-i', deb]);

      for (const p of PATHS) assert.ok(existsSync(join(root, p)), `${p} was not installed`);
      assert.ok(lstatSync(join(root, 'usr/bin/floatip')).isSymbolicLink());
      assert.equal(readlinkSync(join(root, 'usr/bin/floatip')), '../lib/floatip/dist/bin/floatip.mjs');
      assert.equal(statSync(join(root, MAIN)).mode & 0o777, 0o755, 'the bundle the symlink names is executable');
      assert.match(readFileSync(join(root, 'etc/floatip/floatip.yml'), 'utf8'), /^ {2}enabled: false\b/m, 'a fresh install is disabled');
      const status = run('dpkg', [`--root=${root}`, '-s', 'floatip']).stdout;
      assert.match(status, /^Status: install ok installed$/m);
      assert.match(status, /^Conffiles:\n \/etc\/floatip\/floatip\.yml [0-9a-f]{32}$/m);
      assert.match(readFileSync(join(root, 'etc/passwd'), 'utf8'), /^floatip:x:\d+:\d+:/m, 'postinst made the system user in the root');
      assert.equal(run(process.execPath, [join(root, MAIN), '--version']).stdout.trim(), packageVersion());
      // run loads the daemon's chunk of the bundle: the shipped config is disabled, so it touches nothing
      const disabled = run(process.execPath, [join(root, MAIN), 'run', `--config=${join(root, 'etc/floatip/floatip.yml')}`, '--log-format=text']);
      assert.match(disabled.stdout, /floating IP disabled/);
      assert.equal(hostUsers(), before, "the host's /etc/passwd and /etc/group are untouched");

      run('dpkg', [`--root=${root}`, '--force-script-chrootless', '-P', 'floatip']);
      assert.ok(!existsSync(join(root, 'usr/lib/floatip')), 'the daemon is removed');
      assert.ok(!existsSync(join(root, 'etc/floatip/floatip.yml')), 'purge removes the conffile');
      const gone = spawnSync('dpkg', [`--root=${root}`, '-s', 'floatip'], { encoding: 'utf8' });
      assert.notEqual(gone.status, 0, `still known to dpkg after purge: ${gone.stdout}`);
      assert.equal(hostUsers(), before, "the host's /etc/passwd and /etc/group are untouched");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
