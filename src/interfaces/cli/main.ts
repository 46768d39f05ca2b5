#!/usr/bin/env node
import 'reflect-metadata';
import { HostPort } from '../../domain/index.js';
// Each module by its own path, not through infrastructure/index.js: the bundle then evaluates only what
// check, status, help and --version use; run and release load the rest (daemon.commands.js) when they start.
import { ConfigError } from '../../infrastructure/errors.js';
import { YamlConfigLoader } from '../../infrastructure/config/yaml.config-loader.js';
import { OsInterfaceInventory } from '../../infrastructure/system/interface-inventory.js';
import { fetchLocal } from '../../infrastructure/system/http.status-client.js';
import { packageVersion } from '../../infrastructure/system/package-info.js';
import type { ServiceStatus } from '../floatip.service.js';
import { parseCommandLine, type CommandOf } from './cli-args.parser.js';
import { DEFAULT_STATUS } from './cli-help.js';
import { EXIT } from './exit-codes.js';
import { formatSettings } from './format-settings.js';
import { formatStatus } from './format-status.js';
import { programProblems } from './programs.preflight.js';

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  switch (parsed.kind) {
    case 'version':
      console.log(packageVersion());
      return EXIT.ok;
    case 'help':
      console.log(parsed.text);
      return EXIT.ok;
    case 'error':
      console.error(`floatip: ${parsed.message}\n${parsed.usage}`);
      return EXIT.usage;
  }
  const args = parsed.command;
  const loader = new YamlConfigLoader(new OsInterfaceInventory());
  if (args.command === 'check') return check(args, loader);
  if (args.command === 'status') return status(args, loader);
  const daemon = await import('./daemon.commands.js');
  if (args.command === 'release') return daemon.release(args, loader);
  return daemon.run(args, loader);
}

function check(args: CommandOf<'check'>, loader: YamlConfigLoader): number {
  try {
    const loaded = loader.load(args.config, { resolveDisabled: true });
    if (loaded.kind === 'disabled') {
      console.log(`${args.config}: ${loaded.reason}; run would exit without touching anything`);
      for (const w of loaded.warnings) console.log(`warning: ${w}`);
      return EXIT.ok;
    }
    const problems = programProblems(loaded.settings);
    // A disabled section runs nothing: what would fail is a warning, as for its other problems.
    const fatal = loaded.enabled && problems.length > 0;
    console.log(formatSettings(args.config, loaded, fatal ? `${problems.length} problem${problems.length === 1 ? '' : 's'} (below)` : 'valid'));
    for (const w of [...loaded.warnings, ...(fatal ? [] : problems)]) console.log(`warning: ${w}`);
    for (const p of fatal ? problems : []) console.error(`floatip: ${p}`);
    return fatal ? EXIT.usage : EXIT.ok;
  } catch (err) {
    console.error(`floatip: invalid configuration in ${args.config}:\n  ${(err as Error).message}`);
    return err instanceof ConfigError ? EXIT.usage : EXIT.runtime;
  }
}

async function status(args: CommandOf<'status'>, loader: YamlConfigLoader): Promise<number> {
  let { host, port } = args.listen ?? HostPort.parse(DEFAULT_STATUS)!;
  try {
    if (args.config !== null) {
      const loaded = loader.load(args.config, { resolveDisabled: true });
      if (loaded.kind === 'resolved' && loaded.status) ({ host, port } = loaded.status);
      else if (loaded.kind === 'resolved') throw new ConfigError([`${args.config} has status.listen: off`]);
    }
  } catch (err) {
    console.error(`floatip: ${(err as Error).message}`);
    return EXIT.usage;
  }
  try {
    const body = await fetchLocal(host, port, '/status');
    console.log(args.json ? body.trimEnd() : formatStatus(JSON.parse(body) as ServiceStatus));
    return EXIT.ok;
  } catch (err) {
    console.error(`floatip: ${(err as Error).message}`);
    return EXIT.runtime;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Give winston a moment to flush, then leave even if a socket lingers.
    setTimeout(() => process.exit(code), 50).unref();
  },
  (err: unknown) => {
    console.error(err);
    process.exit(EXIT.runtime);
  },
);
