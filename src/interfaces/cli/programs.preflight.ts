import type { NodeSettings } from '../../application/index.js';
// by its own path, not through infrastructure/index.js, so that check does not load the daemon's modules (main.ts)
import { findExecutable, type ExecutableLookup } from '../../infrastructure/system/executable.lookup.js';

/** The hooks' fields in NotifyHooks, and their keys under notify: in the file. */
export const HOOK_KEYS = [
  ['onMaster', 'on_master'],
  ['onBackup', 'on_backup'],
  ['onFault', 'on_fault'],
  ['onStop', 'on_stop'],
  ['command', 'command'],
] as const;

/** Every program the settings will start, with the key that names it. */
export function configuredPrograms(settings: NodeSettings): { key: string; argv: readonly string[] }[] {
  const out: { key: string; argv: readonly string[] }[] = [];
  // the resolver keeps every check or fails, so the index is the one in the file
  settings.checks.forEach((c, i) => {
    if (c.target.kind === 'command') out.push({ key: `floating_ip.checks[${i}].command`, argv: c.target.argv });
  });
  for (const [field, key] of HOOK_KEYS) {
    const argv = settings.hooks[field];
    if (argv && argv.length > 0) out.push({ key: `floating_ip.notify.${key}`, argv });
  }
  return out;
}

/**
 * One line per hook or check command whose program cannot be started. Hooks and checks are never run through a
 * shell: a string is split on spaces into argv, so argv[0] is exactly the program execFile starts, and that is what
 * is looked up. Its arguments, a script's #! interpreter and whether it succeeds are not checked.
 */
export function programProblems(settings: NodeSettings, lookup: (name: string) => ExecutableLookup = (name) => findExecutable(name)): string[] {
  const problems: string[] = [];
  for (const { key, argv } of configuredPrograms(settings)) {
    const found = lookup(argv[0] ?? '');
    if (!found.found) problems.push(`${key}: ${found.problem}`);
  }
  return problems;
}
