// Bundles the compiled CLI (dist/src/interfaces/cli/main.js, from tsc) and its dependencies into one ES module,
// dist/bin/floatip.mjs, the `floatip` bin: node then reads one file instead of resolving and compiling hundreds,
// which is most of a short command's time (issue 15). It bundles tsc's output, not the TypeScript, because
// esbuild emits no decorator metadata, which inversify and class-validator read. The library (dist/src/index.js)
// stays unbundled. "module" first picks class-validator's ES build, whose unused validators (and
// libphonenumber-js) are then left out; the banner gives the CommonJS dependencies the require() they call.
// usage: node scripts/bundle.mjs [--metafile FILE]     (FILE: esbuild's record of what went in, for analysis)
import { chmodSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'interfaces', 'cli', 'main.js');
const outfile = join(root, 'dist', 'bin', 'floatip.mjs');
const metaAt = process.argv.indexOf('--metafile');
const metafile = metaAt > 0 ? process.argv[metaAt + 1] : undefined;

const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  // the entry's shebang stays the first line; this goes right after it
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
  metafile: metafile !== undefined,
});
if (metafile) writeFileSync(metafile, JSON.stringify(result.metafile));
chmodSync(outfile, 0o755);
