import { readFileSync, statSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import type { InterfaceInventory } from '../system/interface-inventory.js';
import { FloatingIpConfigDto } from './floating-ip.config-dto.js';
import { resolveSettings, type ResolvedConfig } from './settings-resolver.js';

export const SECTION = 'floating_ip';

export type LoadedConfig =
  | { kind: 'disabled'; reason: string }
  | ({ kind: 'resolved' } & ResolvedConfig);

export interface LoadOptions {
  /** Resolve and validate against the host even when enabled is false (`floatip check`). */
  readonly resolveDisabled?: boolean;
}

/** Reads `floating_ip:` from a YAML file (an INFINI gateway.yml works as is; other sections are ignored). */
export class YamlConfigLoader {
  constructor(private readonly inventory: InterfaceInventory) {}

  load(file: string, options: LoadOptions = {}): LoadedConfig {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError([`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
    }
    return this.loadText(text, file, options);
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
    const section = (root as Record<string, unknown> | null)?.[SECTION];
    if (section === undefined || section === null) return { kind: 'disabled', reason: `${source} has no ${SECTION}: section` };
    if (typeof section !== 'object' || Array.isArray(section)) {
      throw new ConfigError([`${SECTION}: ${JSON.stringify(section)} is not allowed: must be a mapping of settings`]);
    }
    const dto = plainToInstance(FloatingIpConfigDto, section);
    const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
    if (errors.length > 0) throw new ConfigError(flatten(errors, SECTION));
    if (dto.enabled !== true && !options.resolveDisabled) return { kind: 'disabled', reason: `${SECTION}.enabled is not true` };
    const resolved = resolveSettings(dto, this.inventory.list());
    if (resolved.auth?.secretFile) {
      return { kind: 'resolved', ...resolved, auth: { ...resolved.auth, secrets: readSecretFile(resolved.auth.secretFile) } };
    }
    return { kind: 'resolved', ...resolved };
  }
}

/** One secret per line (blank lines and # comments skipped); the file must be readable by its owner only. */
export function readSecretFile(file: string, uid = process.getuid?.() ?? 0): string[] {
  const key = `${SECTION}.auth.secret_file`;
  let mode: number;
  let owner: number;
  let text: string;
  try {
    const st = statSync(file);
    mode = st.mode & 0o777;
    owner = st.uid;
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${key}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  if ((mode & 0o077) !== 0) {
    throw new ConfigError([`${key}: ${file} is readable by others (mode ${mode.toString(8).padStart(4, '0')}): run chmod 600 ${file}`]);
  }
  if (owner !== 0 && owner !== uid) throw new ConfigError([`${key}: ${file} must belong to root or to the user floatip runs as`]);
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
