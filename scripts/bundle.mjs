// Bundles the compiled CLI (dist/src/interfaces/cli/main.js, from tsc) and its dependencies into ES modules in
// dist/bin: floatip.mjs, the `floatip` bin, and the chunks it imports. Node then reads a few files instead of
// resolving and compiling hundreds, which was most of a short command's time (issue 15). The daemon's modules
// (main.ts imports daemon.commands.js only for run and release) are a chunk of their own, so check, status and
// --version neither compile nor evaluate them. It bundles tsc's output, not the TypeScript, because esbuild emits
// no decorator metadata, which inversify and class-validator read. The library (dist/src/index.js) stays
// unbundled. "module" first picks class-validator's ES build, whose unused validators (and libphonenumber-js) are
// then left out; the banner gives the CommonJS dependencies the require() they call.
// usage: node scripts/bundle.mjs [--dist DIR] [--metafile FILE]
//   DIR: tsc's output directory (default: dist); the bundle is DIR/bin (emptied first), and the dependencies are
//   those node resolves from DIR (scripts/build-deb.sh bundles the .deb's own production node_modules)
//   FILE: esbuild's record of what went in, for analysis
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const option = (name) => {
  const at = process.argv.indexOf(name);
  if (at < 0) return undefined;
  const value = process.argv[at + 1];
  if (value === undefined) {
    console.error(`bundle: ${name} needs a value`);
    process.exit(2);
  }
  return value;
};
const dist = resolve(option('--dist') ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'));
const metafile = option('--metafile');
const entry = join(dist, 'src', 'interfaces', 'cli', 'main.js');
const outdir = join(dist, 'bin');

// chunks are named by their content's hash: an earlier build's would stay beside the new ones
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { floatip: entry },
  outdir,
  splitting: true,
  chunkNames: '[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  // the bundle's "// node_modules/..." comments are relative to this: the same bytes from any build directory
  absWorkingDir: dirname(dist),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  // Whitespace only: the daemon keeps its sources in memory (V8 compiles functions lazily), and this made an idle
  // node 1.7 MB smaller (2.3 MB with renamed identifiers too, but then stack traces in the log lose their names).
  // It changed no command's start-up time measurably.
  minifyWhitespace: true,
  // the entry's shebang stays the first line; this goes right after it, in each chunk
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
  metafile: metafile !== undefined,
});
if (metafile) writeFileSync(metafile, JSON.stringify(result.metafile));
chmodSync(join(outdir, 'floatip.mjs'), 0o755);
