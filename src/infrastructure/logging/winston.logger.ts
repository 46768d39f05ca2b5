import winston from 'winston';
import type { LoggerPort } from '../../application/index.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** One line per event on stdout, so journald and `docker logs` keep them in order. */
export class WinstonLogger implements LoggerPort {
  private readonly logger: winston.Logger;

  constructor(level: LogLevel = 'info', prefix = '') {
    this.logger = winston.createLogger({
      level,
      format: winston.format.combine(
        winston.format.timestamp(),
        winston.format.printf((i) => `${String(i['timestamp'])} ${i.level.padEnd(5)} ${prefix}${String(i.message)}`),
      ),
      transports: [new winston.transports.Console()],
    });
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
