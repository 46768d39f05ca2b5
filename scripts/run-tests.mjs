// Runs the compiled tests with node's own runner. Files are listed here rather than globbed by the
// shell, and an empty list is an error: a run that finds no tests must not pass.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const tier = process.argv[2] ?? 'all';
// system: namespace-free checks of what ships (npm tarball, .deb, man page), once, before the slow integration tier;
// quorum: the quorum mode's namespace tests against a real etcd cluster, once (they test etcd, not the address tool)
const tiers = tier === 'all' ? ['unit', 'system', 'integration', 'quorum'] : [tier];

function find(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? find(p) : e.name.endsWith('.test.js') ? [p] : [];
  });
}

// The integration tier runs once per Linux address tool: net-tools ifconfig, then iproute2 with ifconfig off PATH.
const runs = tiers.flatMap((t) => (t === 'integration' ? [[t, 'ifconfig'], [t, 'ip']] : [[t, null]]));

let failed = false;
for (const [t, tools] of runs) {
  const files = find(join('dist', 'test', t)).sort();
  if (files.length === 0) {
    console.error(`no compiled tests under dist/test/${t}: run "npm run build" first`);
    process.exit(1);
  }
  console.log(`# ${t}${tools ? ` (address tool: ${tools})` : ''}: ${files.length} test files`);
  // Namespace tests share the machine's network stack and CPU, system tests build packages: one file at a time.
  const args = ['--test', '--test-reporter=spec', `--test-concurrency=${t === 'unit' ? 2 : 1}`, '--test-timeout=600000', ...files];
  const env = tools ? { ...process.env, FLOATIP_LAB_TOOLS: tools } : process.env;
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', env });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
