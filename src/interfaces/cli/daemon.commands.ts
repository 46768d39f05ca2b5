// run and release, the commands that start the daemon's machinery (winston, the container, the service,
// prom-client): main.ts loads this module only for them, so check, status, help and --version never load
// what they do not use (issue 15: a short command's time is mostly module loading).
import { setFlagsFromString } from 'node:v8';
import { FloatipError } from '../../domain/index.js';
import {
  ConfigError,
  PortBusyError,
  PreconditionError,
  SystemdNotifyServiceManager,
  WinstonLogger,
  assertSupportedPlatform,
  describePortHolders,
  findPortHolders,
  packageVersion,
  type ResolvedConfig,
  type YamlConfigLoader,
} from '../../infrastructure/index.js';
import { FloatipService } from '../floatip.service.js';
import type { CommandOf } from './cli-args.parser.js';
import { EXIT } from './exit-codes.js';
import { programProblems } from './programs.preflight.js';
import { releaseCommand } from './release.command.js';
import { restartNeededFor } from './reload.js';

export async function release(args: CommandOf<'release'>, loader: YamlConfigLoader): Promise<number> {
  const logger = new WinstonLogger(args.logLevel, args.logFormat);
  try {
    assertSupportedPlatform();
    logger.info(await releaseCommand(args.config, loader, logger));
    return EXIT.ok;
  } catch (err) {
    return fail(logger, err);
  }
}

function serviceFor(config: ResolvedConfig, logger: WinstonLogger, serviceManager: SystemdNotifyServiceManager): FloatipService {
  return new FloatipService({ settings: config.settings, logger, addressTool: config.addressTool, auth: config.auth, status: config.status, serviceManager });
}

export async function run(args: CommandOf<'run'>, loader: YamlConfigLoader): Promise<number> {
  // The daemon's hot path runs a few dozen times a second: V8's optimizing compiler buys it nothing measurable and
  // costs an idle node about 5 MB (the compiler's own pages and its code). Only here: an embedding process keeps V8 as is.
  setFlagsFromString('--no-opt');
  const logger = new WinstonLogger(args.logLevel, args.logFormat);
  const manager = new SystemdNotifyServiceManager(logger);
  manager.startWatchdog();
  let service: FloatipService;
  let config: ResolvedConfig;
  try {
    assertSupportedPlatform();
    const loaded = loader.load(args.config);
    for (const w of loaded.warnings) logger.warn(w);
    if (loaded.kind === 'disabled') {
      logger.info(`floating IP disabled (${loaded.reason}); nothing to do`);
      // ready, then exit 0: under Type=notify an exit before READY=1 would read as a failed start
      manager.ready(`disabled (${loaded.reason}); nothing to do`);
      await manager.flush();
      return EXIT.ok;
    }
    config = loaded;
    // Not fatal: a hook may be installed after the daemon, and a failing check command already counts as failing.
    for (const p of programProblems(config.settings)) logger.warn(`${p}: it will fail each time it is run`);
    service = serviceFor(config, logger, manager);
    const kit = service.toolkit!;
    logger.info(
      `tools: ${kit.addressTool === 'ip' ? 'ip (iproute2)' : kit.addressTool === 'macos-ifconfig' ? 'ifconfig (macOS)' : 'ifconfig (net-tools)'} ${kit.addressCommand} for the address, ${kit.pingFlavor} ping, ${kit.arping ? `arping ${kit.arping}` : 'kernel announcements'}`,
    );
    logger.info(
      `floatip ${packageVersion()} managing ${describeAddresses(config.settings)} as ${config.settings.localIp.toString()} (priority ${config.settings.priority.value})` +
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
      manager.stopWatchdog();
      manager.stopping(`stopping: ${reason}`);
      try {
        await reloading;
        await service.stop(reason);
        await manager.flush(500);
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
      await service.reconfigure(next.settings);
      return;
    }
    logger.info(`SIGHUP: ${changed.join(', ')} changed; restarting the node (a master hands the address over first)`);
    const replacement = serviceFor(next, logger, manager);
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

/** The one address, or the list form's addresses by election (a group's in brackets). */
function describeAddresses(settings: ResolvedConfig['settings']): string {
  if (!settings.units) return settings.address.toString();
  const units = settings.units.map((u) => (u.addresses.length > 1 ? `${u.name} [${u.addresses.map(String).join(', ')}]` : u.addresses[0]!.toString()));
  return `${units.length} addresses (${units.join('; ')})`;
}
