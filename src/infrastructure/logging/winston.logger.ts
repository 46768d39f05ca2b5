import winston from 'winston';
import type { LoggerPort } from '../../application/index.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'auto' | 'text' | 'json';

/** Text for a person at a terminal, JSON for journald and log shippers (auto: by whether stdout is a TTY). */
export function logFormat(format: LogFormat, isTTY = Boolean(process.stdout.isTTY)): winston.Logform.Format {
  const json = format === 'json' || (format === 'auto' && !isTTY);
  return json
    ? winston.format.combine(winston.format.timestamp(), winston.format.json())
    : winston.format.combine(
        winston.format.timestamp(),
        winston.format.printf((i) => `${String(i['timestamp'])} ${i.level.padEnd(5)} ${String(i.message)}`),
      );
}

/** One line per event on stdout, so journald and `docker logs` keep them in order. */
export class WinstonLogger implements LoggerPort {
  private readonly logger: winston.Logger;

  constructor(level: LogLevel = 'info', format: LogFormat = 'auto') {
    this.logger = winston.createLogger({ level, format: logFormat(format), transports: [new winston.transports.Console()] });
  }

  debug(message: string): void {
    this.logger.debug(message);
  }
  info(message: string): void {
    this.logger.info(message);
  }
  warn(message: string): void {
    this.logger.warn(message);
  }
  error(message: string): void {
    this.logger.error(message);
  }
}
