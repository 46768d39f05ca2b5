import { fstatSync } from 'node:fs';
import winston from 'winston';
import type { LogFields, LoggerPort } from '../../application/index.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'auto' | 'text' | 'json';

/** syslog priorities, as journald reads them from a `<N>` line prefix (SyslogLevelPrefix=yes, systemd's default). */
export const JOURNAL_PRIORITY: Readonly<Record<LogLevel, number>> = { error: 3, warn: 4, info: 6, debug: 7 };

/** Keys of the line itself: a field by one of these names is renamed `field_<name>`, so it cannot pose as them. */
const RESERVED = new Set(['level', 'message', 'timestamp']);
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const MAX_FIELDS = 32;
const MAX_VALUE_CHARS = 1024;

/**
 * Whether stdout is the journal's stream: systemd sets JOURNAL_STREAM to its `device:inode`, and a child that
 * inherited the variable with stdout elsewhere (a pipe to the daemon that runs it as a hook) must not match.
 */
export function writesToJournal(env: NodeJS.ProcessEnv, stdout: { dev: number; ino: number } | null): boolean {
  const stream = env['JOURNAL_STREAM'];
  if (!stream || !stdout) return false;
  return stream.trim() === `${stdout.dev}:${stdout.ino}`;
}

function stdoutIdentity(): { dev: number; ino: number } | null {
  try {
    const st = fstatSync(1);
    return { dev: st.dev, ino: st.ino };
  } catch {
    return null;
  }
}

/** Fields fit to be top-level keys: named plainly, never one of the line's own keys, primitive and bounded. */
export function safeFields(fields: LogFields | undefined): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  if (!fields) return out;
  let n = 0;
  for (const [key, raw] of Object.entries(fields)) {
    if (n >= MAX_FIELDS) break;
    if (!FIELD_NAME.test(key)) continue;
    const name = RESERVED.has(key) ? `field_${key}` : key;
    const value: unknown = raw;
    let safe: string | number | boolean | null;
    if (value === null || typeof value === 'boolean') safe = value;
    else if (typeof value === 'number') safe = Number.isFinite(value) ? value : String(value);
    else safe = String(value).slice(0, MAX_VALUE_CHARS);
    out[name] = safe;
    n++;
  }
  return out;
}

/**
 * Text for a person at a terminal, JSON for journald and log shippers (auto: by whether stdout is a TTY). Text
 * lines leave the fields out: the message says the same in words. `journal`: each line starts with its priority.
 */
export function logFormat(format: LogFormat, isTTY = Boolean(process.stdout.isTTY), journal = false): winston.Logform.Format {
  const json = format === 'json' || (format === 'auto' && !isTTY);
  const line = json
    ? winston.format.combine(winston.format.timestamp(), winston.format.json())
    : winston.format.combine(
        winston.format.timestamp(),
        winston.format.printf((i) => `${String(i['timestamp'])} ${i.level.padEnd(5)} ${String(i.message)}`),
      );
  if (!journal) return line;
  const MESSAGE = Symbol.for('message');
  const prefix = winston.format((info) => {
    const priority = JOURNAL_PRIORITY[info.level as LogLevel] ?? JOURNAL_PRIORITY.info;
    const rec = info as unknown as Record<symbol, unknown>;
    rec[MESSAGE] = `<${priority}>${String(rec[MESSAGE])}`;
    return info;
  });
  return winston.format.combine(line, prefix());
}

/** One line per event on stdout, so journald and `docker logs` keep them in order. */
export class WinstonLogger implements LoggerPort {
  private readonly logger: winston.Logger;

  /** `env`: where to look for JOURNAL_STREAM (the process environment unless a test says otherwise). */
  constructor(level: LogLevel = 'info', format: LogFormat = 'auto', env: NodeJS.ProcessEnv = process.env) {
    const journal = writesToJournal(env, stdoutIdentity());
    this.logger = winston.createLogger({ level, format: logFormat(format, Boolean(process.stdout.isTTY), journal), transports: [new winston.transports.Console()] });
  }

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  private write(level: LogLevel, message: string, fields: LogFields | undefined): void {
    // the line's own keys last, so no field can stand in for them
    this.logger.log({ ...safeFields(fields), level, message });
  }
}
