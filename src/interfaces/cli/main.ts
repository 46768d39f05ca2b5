#!/usr/bin/env node
import 'reflect-metadata';
import { FloatipError } from '../../domain/index.js';
import { ConfigError, OsInterfaceInventory, assertSupportedPlatform, packageVersion, PreconditionError, WinstonLogger, YamlConfigLoader, type LogLevel } from '../../infrastructure/index.js';
import { FloatipService } from '../floatip.service.js';
import { formatSettings } from './format-settings.js';

export const EXIT = { ok: 0, runtime: 1, usage: 2 } as const;

const USAGE = `usage: floatip run   --config FILE [--log-level error|warn|info|debug]
       floatip check --config FILE
       floatip --version

  run    hold the floating IP with the other nodes of its group (foreground, systemd style)
  check  validate FILE, print the resolved settings with what was auto-detected, exit 0 or 2

exit codes: 0 clean stop, 1 runtime failure, 2 configuration or precondition error`;

interface Args {
  command: string;
  config: string;
  logLevel: LogLevel;
}

function parseArgs(argv: string[]): Args | string {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') return USAGE;
  if (command !== 'run' && command !== 'check') return `unknown command "${command}"\n${USAGE}`;
  const args: Args = { command, config: '', logLevel: 'info' };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = rest[i + 1];
    if ((flag === '--config' || flag === '-c') && value) {
      args.config = value;
      i++;
    } else if (flag === '--log-level' && value && ['error', 'warn', 'info', 'debug'].includes(value)) {
      args.logLevel = value as LogLevel;
      i++;
    } else return `unexpected argument "${flag}"${value === undefined ? '' : ''}\n${USAGE}`;
  }
  if (!args.config) return `--config FILE is required\n${USAGE}`;
  return args;
}

const version = packageVersion;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    console.log(version());
    return EXIT.ok;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    const isHelp = args === USAGE;
    (isHelp ? console.log : console.error)(args);
    return isHelp ? EXIT.ok : EXIT.usage;
  }
  const loader = new YamlConfigLoader(new OsInterfaceInventory());
  if (args.command === 'check') {
    try {
      const loaded = loader.load(args.config, { resolveDisabled: true });
      if (loaded.kind === 'disabled') console.log(`${args.config}: ${loaded.reason}; run would exit without touching anything`);
      else console.log(formatSettings(args.config, loaded));
      return EXIT.ok;
    } catch (err) {
      console.error(`floatip: invalid configuration in ${args.config}:\n  ${(err as Error).message}`);
      return err instanceof ConfigError ? EXIT.usage : EXIT.runtime;
    }
  }
  return run(args, loader);
}

async function run(args: Args, loader: YamlConfigLoader): Promise<number> {
  const logger = new WinstonLogger(args.logLevel);
  let service: FloatipService;
  try {
    assertSupportedPlatform();
    const loaded = loader.load(args.config);
    if (loaded.kind === 'disabled') {
      logger.info(`floating IP disabled (${loaded.reason}); nothing to do`);
      return EXIT.ok;
    }
    service = new FloatipService({ settings: loaded.settings, logger, addressTool: loaded.addressTool });
    const kit = service.toolkit!;
    logger.info(`tools: ${kit.addressTool === 'ip' ? 'ip (iproute2)' : kit.addressTool === 'macos-ifconfig' ? 'ifconfig (macOS)' : 'ifconfig (net-tools)'} ${kit.addressCommand} for the address, ${kit.pingFlavor} ping, ${kit.arping ? `arping ${kit.arping}` : 'kernel announcements'}`);
    logger.info(`floatip ${version()} managing ${loaded.settings.address.toString()} as ${loaded.settings.localIp.toString()} (priority ${loaded.settings.priority.value})`);
  } catch (err) {
    return fail(logger, err);
  }

  let stopping: Promise<number> | null = null;
  const stop = (reason: string, code: number): Promise<number> => {
    stopping ??= (async () => {
      const deadline = setTimeout(() => {
        logger.error('stop did not finish within 10 s; exiting');
        process.exit(EXIT.runtime);
      }, 10_000);
      try {
        await service.stop(reason);
        return code;
      } catch (err) {
        logger.error(`stop failed: ${(err as Error).message}`);
        return EXIT.runtime;
      } finally {
        clearTimeout(deadline);
      }
    })();
    return stopping;
  };

  return new Promise<number>((resolve) => {
    const finish = (p: Promise<number>): void => void p.then(resolve);
    process.on('SIGTERM', () => finish(stop('SIGTERM received', EXIT.ok)));
    process.on('SIGINT', () => finish(stop('SIGINT received', EXIT.ok)));
    process.on('SIGHUP', () => logger.warn('SIGHUP: live reload is not supported yet; restart to apply changes'));
    process.on('uncaughtException', (err) => {
      logger.error(`internal error: ${err.stack ?? err.message}`);
      finish(stop('internal error', EXIT.runtime));
    });
    process.on('unhandledRejection', (err) => {
      logger.error(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      finish(stop('internal error', EXIT.runtime));
    });
    service.start().catch((err: unknown) => {
      const code = fail(logger, err);
      finish(stop('start failed', code).then(() => code));
    });
  });
}

function fail(logger: WinstonLogger, err: unknown): number {
  if (err instanceof ConfigError) {
    logger.error(`invalid configuration:\n  ${err.message}`);
    return EXIT.usage;
  }
  if (err instanceof PreconditionError) {
    logger.error(`cannot start: ${err.message}`);
    return EXIT.usage;
  }
  logger.error(err instanceof FloatipError ? `${err.code}: ${err.message}` : `failed: ${(err as Error).stack ?? String(err)}`);
  return EXIT.runtime;
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
