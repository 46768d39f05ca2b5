import type { LogFields, LoggerPort } from '../ports/logger.port.js';

/**
 * One address's lines in a node of several: each starts with the address (or group) and carries it as a field,
 * so "peer 198.18.0.2 joined" says which election it is about.
 */
export function addressLogger(logger: LoggerPort, name: string): LoggerPort {
  const write =
    (level: keyof LoggerPort) =>
    (message: string, fields?: LogFields): void =>
      logger[level](`${name}: ${message}`, { address: name, ...fields });
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
