import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HostPort } from '../../domain/index.js';
import type { LogFormat, LogLevel } from '../../infrastructure/index.js';
import { COMMANDS, COMMAND_HELP, DEFAULT_CONFIG, SYNOPSIS, USAGE, type CommandName } from './cli-help.js';

interface LoggedCommand<C extends 'run' | 'release'> {
  readonly command: C;
  readonly config: string;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

export type CliCommand =
  | LoggedCommand<'run'>
  | LoggedCommand<'release'>
  | { readonly command: 'check'; readonly config: string }
  | {
      readonly command: 'status';
      /** null: ask `listen`, or the default address. */
      readonly config: string | null;
      readonly listen: HostPort | null;
      readonly json: boolean;
    };

/** The parsed arguments of one command. */
export type CommandOf<C extends CliCommand['command']> = Extract<CliCommand, { command: C }>;

/** What the command line asks for: no I/O here, so tests need no process. */
export type ParsedCommandLine =
  | { readonly kind: 'command'; readonly command: CliCommand }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version' }
  /** Exit 2: `message` is one line, `usage` the relevant synopsis. */
  | { readonly kind: 'error'; readonly message: string; readonly usage: string };

type Options = NonNullable<ParseArgsConfig['options']>;

const CONFIG: Options = { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } };
const LOGS: Options = { 'log-level': { type: 'string' }, 'log-format': { type: 'string' } };

const OPTIONS: Record<CommandName, Options> = {
  run: { ...CONFIG, ...LOGS },
  check: CONFIG,
  status: { ...CONFIG, listen: { type: 'string' }, json: { type: 'boolean' } },
  release: { ...CONFIG, ...LOGS },
};

const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
const LOG_FORMATS: readonly LogFormat[] = ['auto', 'text', 'json'];

const isCommand = (word: string | undefined): word is CommandName => (COMMANDS as readonly (string | undefined)[]).includes(word);

const commandUsage = (command: CommandName): string => `usage: ${SYNOPSIS[command]}\n(floatip help ${command} for more)`;
const generalUsage = `${USAGE.split('\n\n')[0]!}\n(floatip help for more)`;

export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'help', text: USAGE };
  if (first === '--version' || first === '-v') {
    return rest.length === 0 ? { kind: 'version' } : error(`${first} takes no arguments, got ${quote(rest[0]!)}`, generalUsage);
  }
  if (first === 'help' || first === '--help' || first === '-h') {
    if (rest.length === 0) return { kind: 'help', text: USAGE };
    const [topic, ...more] = rest;
    if (!isCommand(topic)) return error(`no help for ${quote(topic!)}: the commands are ${COMMANDS.join(', ')}`, generalUsage);
    if (more.length > 0) return error(`${first} ${topic} takes nothing more, got ${quote(more[0]!)}`, generalUsage);
    return { kind: 'help', text: COMMAND_HELP[topic] };
  }
  if (first.startsWith('-')) return error(`unknown option ${quote(first)}: options go after the command`, generalUsage);
  if (!isCommand(first)) return error(`unknown command ${quote(first)}: the commands are ${COMMANDS.join(', ')}`, generalUsage);
  return parseCommand(first, rest);
}

function parseCommand(command: CommandName, args: readonly string[]): ParsedCommandLine {
  const usage = commandUsage(command);
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS[command], strict: true, allowPositionals: false, tokens: true });
  } catch (err) {
    return error(`${command}: ${explain(err as NodeJS.ErrnoException)}`, usage);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values['help'] === true) return { kind: 'help', text: COMMAND_HELP[command] };

  // parseArgs keeps the last of a repeated option; two different files is a mistake, not a choice.
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) return error(`${command}: --${token.name} is given more than once`, usage);
    seen.add(token.name);
    // `-c=FILE` would read as the file "=FILE"
    if (token.rawName.length === 2 && token.inlineValue && token.value?.startsWith('=')) {
      return error(`${command}: write ${token.rawName} FILE or --${token.name}=FILE, not ${token.rawName}${token.value}`, usage);
    }
    if (typeof token.value === 'string' && token.value.trim() === '') return error(`${command}: --${token.name} needs a value, got an empty one`, usage);
  }

  const str = (name: string): string | undefined => values[name] as string | undefined;
  if (command === 'status') {
    const listenText = str('listen');
    if (listenText !== undefined && str('config') !== undefined) return error('status: give --config or --listen, not both', usage);
    let listen: HostPort | null = null;
    if (listenText !== undefined) {
      listen = HostPort.parse(listenText);
      if (!listen) return error(`status: --listen ${quote(listenText)} is not allowed: must be HOST:PORT with a port from 1 to 65535, such as 127.0.0.1:61112`, usage);
    }
    return { kind: 'command', command: { command, config: str('config') ?? null, listen, json: values['json'] === true } };
  }
  const config = str('config') ?? DEFAULT_CONFIG;
  if (command === 'check') return { kind: 'command', command: { command, config } };
  const logLevel = str('log-level') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) return error(`${command}: --log-level ${quote(logLevel)} is not allowed: must be ${LOG_LEVELS.join(', ')}`, usage);
  const logFormat = str('log-format') ?? 'auto';
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) return error(`${command}: --log-format ${quote(logFormat)} is not allowed: must be ${LOG_FORMATS.join(', ')}`, usage);
  return { kind: 'command', command: { command, config, logLevel: logLevel as LogLevel, logFormat: logFormat as LogFormat } };
}


/** node:util's messages, in one line each and in this CLI's words. */
function explain(err: NodeJS.ErrnoException): string {
  const message = String(err.message);
  const option = /'(-[^',\s]*)(?:,\s*(--[^'\s]+))?/.exec(message);
  const name = option?.[2] ?? option?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quote(option?.[1] ?? '?')}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quote(/'([^']*)'/.exec(message)?.[1] ?? '?')}: it takes options only (a file is given as --config FILE)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(message)) return `${name} takes no value`;
      if (/ambiguous/.test(message)) return `${name} needs a value (a value that starts with - is written ${name}=-VALUE)`;
      return `${name} needs a value`;
    default:
      return message.split('\n')[0]!;
  }
}

function error(message: string, usage: string): ParsedCommandLine {
  return { kind: 'error', message, usage };
}

function quote(s: string): string {
  return JSON.stringify(s);
}
