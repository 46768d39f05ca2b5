export interface LoggerPort {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
export const LOGGER_PORT = Symbol.for('floatip.LoggerPort');
