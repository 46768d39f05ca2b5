import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The version in floatip's package.json, read at run time so the binary and the package never disagree.
 * The file is the first package.json named "floatip" above this module: the compiled module
 * (dist/src/infrastructure/system) and the bundled CLI (dist/bin) sit at different depths, in a checkout,
 * in the npm package and under /usr/lib/floatip alike.
 */
export function packageVersion(): string {
  cached ??= findVersion(dirname(fileURLToPath(import.meta.url)));
  return cached;
}

function findVersion(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'floatip') return typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      // none here, or not readable JSON: look further up
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
