/** Structured fields of one log line: top-level keys in JSON output. Primitives only, so every sink can print them. */
export type LogFields = Readonly<Record<string, string | number | boolean | null>>;

export interface LoggerPort {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}
export const LOGGER_PORT = Symbol.for('floatip.LoggerPort');
