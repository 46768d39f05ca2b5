// Shared by the system tier: the repository root, and running a tool with its output in any failure message.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/test/support/. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const packageVersion = (): string => (JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { version: string }).version;

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs file with args; throws with the command, exit status and both outputs unless it exits 0. */
export function run(file: string, args: readonly string[], options: SpawnSyncOptions = {}): RunResult {
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024, ...options });
  const stdout = String(r.stdout ?? '');
  const stderr = String(r.stderr ?? '');
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
    throw new Error(`${file} ${args.join(' ')}: ${why}\n--- stdout\n${stdout.slice(-4000)}\n--- stderr\n${stderr.slice(-4000)}`);
  }
  return { stdout, stderr };
}
