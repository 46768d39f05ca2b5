// `npm pack` from what a clean clone holds (the tracked files), then the tarball installed into an empty
// project: the bin runs and the library imports. No network namespace, no root.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, packageVersion, run } from '../support/system-run.js';

// What a user runs or reads; anything else in the tarball is a mistake.
const ALLOWED = /^(package\.json|README\.md|LICENSE|dist\/src\/.+\.(js|d\.ts)|dist\/bin\/[^/]+\.mjs|dist\/man\/floatip\.8|packaging\/floatip\.(service|example\.yml))$/;
const REQUIRED = [
  'package.json',
  'README.md',
  'LICENSE',
  'dist/src/index.js',
  'dist/src/index.d.ts',
  'dist/bin/floatip.mjs',
  'dist/man/floatip.8',
  'packaging/floatip.service',
  'packaging/floatip.example.yml',
];

describe('npm package', () => {
  let tmp: string;
  let tarball: string;
  let files: string[];

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'floatip-npm-'));
    const clone = join(tmp, 'clone');
    // the tracked files as they are in the working tree: what a clean clone (plus uncommitted edits) holds
    const tracked = run('git', ['ls-files', '-z'], { cwd: REPO_ROOT }).stdout.split('\0').filter(Boolean);
    for (const f of tracked) {
      if (!existsSync(join(REPO_ROOT, f))) continue; // deleted in the working tree
      mkdirSync(dirname(join(clone, f)), { recursive: true });
      copyFileSync(join(REPO_ROOT, f), join(clone, f));
    }
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(clone, 'node_modules'));
    const out = run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: clone }).stdout;
    const [info] = JSON.parse(out.slice(out.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    assert.ok(info, `npm pack printed no package: ${out}`);
    tarball = join(tmp, info.filename);
    files = info.files.map((f) => f.path).sort();
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('holds the daemon, the library and its types, the unit, the example config, the man page and the license', () => {
    for (const f of REQUIRED) assert.ok(files.includes(f), `${f} is missing from the tarball`);
  });

  it('holds nothing else: no tests, scripts, source maps, CI, lint config or images', () => {
    const stray = files.filter((f) => !ALLOWED.test(f));
    assert.deepEqual(stray, [], `files a user does not run: ${stray.join(', ')}`);
    assert.ok(!files.some((f) => /\.map$|\.svg$|eslint|(^|\/)test\/|^scripts\/|^\.ci\//.test(f)));
  });

  it('installs into an empty project, where the bin prints the version and the library imports', () => {
    const project = join(tmp, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'try-floatip', version: '1.0.0', private: true }));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project });
    assert.equal(readlinkSync(join(project, 'node_modules', '.bin', 'floatip')), '../floatip/dist/bin/floatip.mjs', 'the bin is the bundle');
    assert.equal(run('npx', ['--no-install', 'floatip', '--version'], { cwd: project }).stdout.trim(), packageVersion());
    // run loads the daemon's chunk of the bundle; a disabled config touches nothing
    writeFileSync(join(project, 'off.yml'), 'floating_ip:\n  enabled: false\n');
    assert.match(run('npx', ['--no-install', 'floatip', 'run', '--config=off.yml', '--log-format=text'], { cwd: project }).stdout, /floating IP disabled/);
    const probe = `const m = await import('floatip');
      console.log(JSON.stringify(['FloatipService', 'YamlConfigLoader', 'OsInterfaceInventory', 'createContainer', 'Ipv4Address', 'ConfigError'].map((k) => [k, typeof m[k]])));`;
    const kinds = JSON.parse(run(process.execPath, ['--input-type=module', '-e', probe], { cwd: project }).stdout) as [string, string][];
    for (const [name, kind] of kinds) assert.equal(kind, 'function', `import('floatip').${name} is ${kind}`);
    assert.ok(existsSync(join(project, 'node_modules', 'floatip', 'dist', 'src', 'index.d.ts')), 'the types are installed');
  });
});
