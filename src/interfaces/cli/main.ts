#!/usr/bin/env node
import 'reflect-metadata';
import { FloatipError } from '../../domain/index.js';
import {
  ConfigError,
  OsInterfaceInventory,
  PortBusyError,
  PreconditionError,
  WinstonLogger,
  YamlConfigLoader,
  assertSupportedPlatform,
  describePortHolders,
  fetchLocal,
  findPortHolders,
  packageVersion,
  type LogFormat,
  type LogLevel,
  type ResolvedConfig,
} from '../../infrastructure/index.js';
import { FloatipService, type ServiceStatus } from '../floatip.service.js';
import { formatSettings } from './format-settings.js';
import { formatStatus } from './format-status.js';
import { releaseCommand } from './release.command.js';
import { restartNeededFor } from './reload.js';

export const EXIT = { ok: 0, runtime: 1, usage: 2, portBusy: 3 } as const;

const USAGE = `usage: floatip run    --config FILE [--log-level error|warn|info|debug] [--log-format auto|text|json]
       floatip check  --config FILE
       floatip status [--config FILE | --listen HOST:PORT] [--json]
       floatip release --config FILE
       floatip --version

  run     hold the floating IP with the other nodes of its group (foreground, systemd style);
          SIGTERM/SIGINT hand over and stop, SIGHUP reloads FILE
  check   validate FILE, print the resolved settings with what was auto-detected, exit 0 or 2
  status  ask a running daemon (status.listen, default 127.0.0.1:61112) for its state, peers, checks, counters
  release remove this node's alias (<interface>:<label>) if it is still bound, e.g. after the daemon was killed
          (ExecStopPost=); exit 0 whether it was removed or was not there. Not while the daemon runs.

exit codes: 0 clean stop, 1 runtime failure, 2 configuration or precondition error,
            3 a port it needs is held by another process (systemd restarts it)`;

interface Args {
  command: 'run' | 'check' | 'status' | 'release';
  config: string;
  listen: string;
  json: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

function parseArgs(argv: string[]): Args | string {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') return USAGE;
  if (command !== 'run' && command !== 'check' && command !== 'status' && command !== 'release') return `unknown command "${command}"\n${USAGE}`;
  const args: Args = { command, config: '', listen: '', json: false, logLevel: 'info', logFormat: 'auto' };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = rest[i + 1];
    if ((flag === '--config' || flag === '-c') && value) args.config = rest[++i]!;
    else if (flag === '--listen' && value) args.listen = rest[++i]!;
    else if (flag === '--json') args.json = true;
    else if (flag === '--log-level' && value && ['error', 'warn', 'info', 'debug'].includes(value)) args.logLevel = rest[++i] as LogLevel;
    else if (flag === '--log-format' && value && ['auto', 'text', 'json'].includes(value)) args.logFormat = rest[++i] as LogFormat;
    else return `unexpected argument "${flag}"\n${USAGE}`;
  }
  if (!args.config && command !== 'status') return `--config FILE is required\n${USAGE}`;
  return args;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    console.log(packageVersion());
    return EXIT.ok;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    const isHelp = args === USAGE;
    (isHelp ? console.log : console.error)(args);
    return isHelp ? EXIT.ok : EXIT.usage;
  }
  const loader = new YamlConfigLoader(new OsInterfaceInventory());
  if (args.command === 'check') return check(args, loader);
  if (args.command === 'status') return status(args, loader);
  if (args.command === 'release') return release(args, loader);
  return run(args, loader);
}

function check(args: Args, loader: YamlConfigLoader): number {
  try {
    const loaded = loader.load(args.config, { resolveDisabled: true });
    if (loaded.kind === 'disabled') console.log(`${args.config}: ${loaded.reason}; run would exit without touching anything`);
    else console.log(formatSettings(args.config, loaded));
    for (const w of loaded.warnings) console.log(`warning: ${w}`);
    return EXIT.ok;
  } catch (err) {
    console.error(`floatip: invalid configuration in ${args.config}:\n  ${(err as Error).message}`);
    return err instanceof ConfigError ? EXIT.usage : EXIT.runtime;
  }
}

async function status(args: Args, loader: YamlConfigLoader): Promise<number> {
  let host = '127.0.0.1';
  let port = 61112;
  try {
    if (args.listen) {
      const at = args.listen.lastIndexOf(':');
      host = args.listen.slice(0, at);
      port = Number(args.listen.slice(at + 1));
    } else if (args.config) {
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

async function release(args: Args, loader: YamlConfigLoader): Promise<number> {
  const logger = new WinstonLogger(args.logLevel, args.logFormat);
  try {
    assertSupportedPlatform();
    logger.info(await releaseCommand(args.config, loader, logger));
    return EXIT.ok;
  } catch (err) {
    return fail(logger, err);
  }
}

function serviceFor(config: ResolvedConfig, logger: WinstonLogger): FloatipService {
  return new FloatipService({ settings: config.settings, logger, addressTool: config.addressTool, auth: config.auth, status: config.status });
}

async function run(args: Args, loader: YamlConfigLoader): Promise<number> {
  const logger = new WinstonLogger(args.logLevel, args.logFormat);
  let service: FloatipService;
  let config: ResolvedConfig;
  try {
    assertSupportedPlatform();
    const loaded = loader.load(args.config);
    for (const w of loaded.warnings) logger.warn(w);
    if (loaded.kind === 'disabled') {
      logger.info(`floating IP disabled (${loaded.reason}); nothing to do`);
      return EXIT.ok;
    }
    config = loaded;
    service = serviceFor(config, logger);
    const kit = service.toolkit!;
    logger.info(
      `tools: ${kit.addressTool === 'ip' ? 'ip (iproute2)' : kit.addressTool === 'macos-ifconfig' ? 'ifconfig (macOS)' : 'ifconfig (net-tools)'} ${kit.addressCommand} for the address, ${kit.pingFlavor} ping, ${kit.arping ? `arping ${kit.arping}` : 'kernel announcements'}`,
    );
    logger.info(
      `floatip ${packageVersion()} managing ${config.settings.address.toString()} as ${config.settings.localIp.toString()} (priority ${config.settings.priority.value})` +
        `${config.auth ? ', heartbeats signed' : ''}${config.status ? `, status on http://${config.status.host}:${config.status.port}/status` : ''}`,
    );
  } catch (err) {
    return fail(logger, err);
  }

  let stopping: Promise<number> | null = null;
  let reloading: Promise<void> = Promise.resolve();
  const stop = (reason: string, code: number): Promise<number> => {
    stopping ??= (async () => {
      const deadline = setTimeout(() => {
        logger.error('stop did not finish within 10 s; exiting');
        process.exit(EXIT.runtime);
      }, 10_000);
      try {
        await reloading;
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

  const reload = async (): Promise<void> => {
    let next;
    try {
      next = loader.load(args.config);
    } catch (err) {
      logger.error(`SIGHUP: ${args.config} is invalid; keeping the running settings:\n  ${(err as Error).message}`);
      service.reloadFailed();
      return;
    }
    if (next.kind === 'disabled') {
      logger.warn(`SIGHUP: ${next.reason}; keeping the running settings (stop the service to disable it)`);
      service.reloadFailed();
      return;
    }
    for (const w of next.warnings) logger.warn(`SIGHUP: ${w}`);
    const changed = restartNeededFor(config, next);
    if (changed.length === 0) {
      config = next;
      service.reconfigure(next.settings);
      return;
    }
    logger.info(`SIGHUP: ${changed.join(', ')} changed; restarting the node (a master hands the address over first)`);
    const replacement = serviceFor(next, logger);
    await service.stop(`reload: ${changed.join(', ')} changed`);
    service = replacement;
    config = next;
    await service.start();
  };

  return new Promise<number>((resolve) => {
    const finish = (p: Promise<number>): void => void p.then(resolve);
    process.on('SIGTERM', () => finish(stop('SIGTERM received', EXIT.ok)));
    process.on('SIGINT', () => finish(stop('SIGINT received', EXIT.ok)));
    process.on('SIGHUP', () => {
      if (stopping) return;
      reloading = reloading.then(reload).catch((err: unknown) => {
        const code = fail(logger, err);
        finish(stop('reload failed', code).then(() => code));
      });
    });
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
  if (err instanceof PortBusyError) {
    // Another process may give the port up: not a configuration error, so the unit restarts floatip.
    const holders = process.platform === 'linux' ? describePortHolders(findPortHolders(err.protocol, err.port)) : '';
    logger.error(`cannot start: ${err.message} ${holders ? `by ${holders}` : '(by another process: is another floatip running?)'}`);
    return EXIT.portBusy;
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
