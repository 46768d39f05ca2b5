import { closeSync, readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import type { InterfaceInventory } from '../system/interface-inventory.js';
import { FloatingIpConfigDto } from './floating-ip.config-dto.js';
import { openPrivateFile, readConfigFile } from './config-file.guard.js';
import { resolveSettings, type ResolvedConfig } from './settings-resolver.js';

export const SECTION = 'floating_ip';

/** Said at start and by `check` when heartbeats are not signed: what a host on the segment can then do. */
export const UNSIGNED_WARNING =
  `${SECTION}.auth is not set: heartbeats are not signed, so any host on the segment can forge them: claim to be a master ` +
  'or a better backup, or speak in a lost master\'s name, and so delay a failover, and make nodes probe the address. ' +
  'Without really holding the address it cannot make a master release it. Set auth.secret_file on every node.';

export type LoadedConfig =
  | { kind: 'disabled'; reason: string; warnings: readonly string[] }
  | ({ kind: 'resolved'; warnings: readonly string[] } & ResolvedConfig);

export interface LoadOptions {
  /** Resolve and validate against the host even when enabled is false (`floatip check`, `floatip release`). */
  readonly resolveDisabled?: boolean;
}

// INFINI writes '' for "auto-detect" (its gateway.yml has ip: '', interface: '', local_ip: ''); YAML's empty value is null.
const EMPTY_MEANS_UNSET = new Set(['ip', 'netmask', 'interface', 'local_ip', 'peer_ip', 'label', 'address_tool', 'binding']);

function dropUnset(map: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(map)) {
    if (value === null || (value === '' && EMPTY_MEANS_UNSET.has(key))) continue;
    out[key] = depth === 0 && value && typeof value === 'object' && !Array.isArray(value) ? dropUnset(value as Record<string, unknown>, 1) : value;
  }
  return out;
}

/** Reads `floating_ip:` from a YAML file (an INFINI gateway.yml works as is; other sections are ignored). */
export class YamlConfigLoader {
  constructor(
    private readonly inventory: InterfaceInventory,
    private readonly uid = process.getuid?.() ?? 0,
  ) {}

  /** The file must belong to root or this uid and be writable by its owner only: it runs hooks and checks as root. */
  load(file: string, options: LoadOptions = {}): LoadedConfig {
    const { text, mode } = readConfigFile(file, this.uid);
    const loaded = this.loadText(text, file, options);
    if (loaded.kind !== 'resolved' || (mode & 0o044) === 0) return loaded;
    const who = `${file}, which ${(mode & 0o004) !== 0 ? 'every user' : 'its group'} can read (mode ${mode.toString(8).padStart(4, '0')})`;
    const warnings: string[] = [];
    if (loaded.auth && loaded.auth.secretFile === null) {
      warnings.push(`${SECTION}.auth.secret: the secret is written in ${who}: anyone who reads it can sign heartbeats; move it to auth.secret_file, or run chmod 600 ${file}`);
    }
    if (loaded.settings.quorum?.etcd.password) {
      warnings.push(`${SECTION}.quorum.etcd.password: the etcd password is written in ${who}: anyone who reads it can take the address's key; run chmod 600 ${file}`);
    }
    return warnings.length ? { ...loaded, warnings: [...loaded.warnings, ...warnings] } : loaded;
  }

  loadText(text: string, source = 'config', options: LoadOptions = {}): LoadedConfig {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw new ConfigError(doc.errors.map((e) => `${source}: YAML error: ${e.message.split('\n')[0]}`));
    }
    const root: unknown = doc.toJS();
    if (root !== null && root !== undefined && (typeof root !== 'object' || Array.isArray(root))) {
      throw new ConfigError([`${source}: the top level must be a mapping with a ${SECTION}: section`]);
    }
    const raw = (root as Record<string, unknown> | null)?.[SECTION];
    if (raw === undefined || raw === null) return { kind: 'disabled', reason: `${source} has no ${SECTION}: section`, warnings: [] };
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ConfigError([`${SECTION}: ${JSON.stringify(raw)} is not allowed: must be a mapping of settings`]);
    }
    const section = dropUnset(raw as Record<string, unknown>);
    const enabled = section['enabled'];
    if (enabled !== undefined && typeof enabled !== 'boolean') {
      throw new ConfigError([`${SECTION}.enabled: ${JSON.stringify(enabled)} is not allowed: must be true or false`]);
    }
    const dto = plainToInstance(FloatingIpConfigDto, section);
    const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
    const problems = flatten(errors, SECTION);
    if (enabled === true) return { kind: 'resolved', ...this.resolve(dto, problems) };
    // Disabled: nothing runs, so nothing in the section can hurt. Its problems are shown, not fatal.
    const reason = `${SECTION}.enabled is not true`;
    if (!options.resolveDisabled || problems.length > 0) return { kind: 'disabled', reason, warnings: problems };
    try {
      return { kind: 'resolved', ...this.resolve(dto, problems) };
    } catch (err) {
      if (err instanceof ConfigError) return { kind: 'disabled', reason, warnings: err.problems };
      throw err;
    }
  }

  private resolve(dto: FloatingIpConfigDto, problems: readonly string[]): ResolvedConfig & { warnings: readonly string[] } {
    if (problems.length > 0) throw new ConfigError(problems);
    const resolved = resolveSettings(dto, this.inventory.list());
    const warnings = resolved.auth ? [] : [UNSIGNED_WARNING];
    if (resolved.auth?.secretFile) {
      return { ...resolved, warnings, auth: { ...resolved.auth, secrets: readSecretFile(resolved.auth.secretFile, this.uid) } };
    }
    return { ...resolved, warnings };
  }
}

/**
 * One secret per line (blank lines and # comments skipped). Opened once, without following a symbolic link, and
 * checked on the open handle: a regular file of root or this uid that nobody else can read or write.
 */
export function readSecretFile(file: string, uid = process.getuid?.() ?? 0): string[] {
  const key = `${SECTION}.auth.secret_file`;
  const fd = openPrivateFile(file, key, uid);
  let text: string;
  try {
    text = readFileSync(fd, 'utf8');
  } catch (err) {
    throw new ConfigError([`${key}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  } finally {
    closeSync(fd);
  }
  const secrets = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (secrets.length === 0) throw new ConfigError([`${key}: ${file} has no secret in it`]);
  const short = secrets.findIndex((k) => k.length < 16);
  if (short >= 0) throw new ConfigError([`${key}: secret ${short + 1} in ${file} is shorter than 16 characters`]);
  return secrets;
}

function flatten(errors: readonly ValidationError[], prefix: string): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const path = /^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : `${prefix}.${e.property}`;
    const constraints = e.constraints ?? {};
    if (constraints['whitelistValidation']) {
      out.push(`${path}: unknown key (check the spelling; see the README for the keys floatip reads)`);
    } else if (Object.keys(constraints).length > 0) {
      const messages = [...new Set(Object.values(constraints))];
      out.push(`${path}: ${JSON.stringify(e.value)} is not allowed: ${messages.join('; ')}`);
    }
    if (e.children?.length) out.push(...flatten(e.children, path));
  }
  return out;
}
