import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine, type ParsedCommandLine } from '../../../src/interfaces/cli/cli-args.parser.js';
import { HostPort } from '../../../src/domain/index.js';
import { COMMAND_HELP, DEFAULT_CONFIG, USAGE } from '../../../src/interfaces/cli/cli-help.js';

const parse = (line: string): ParsedCommandLine => parseCommandLine(line === '' ? [] : line.split(' '));

function command(line: string): unknown {
  const r = parse(line);
  assert.equal(r.kind, 'command', `${line}: ${JSON.stringify(r)}`);
  return (r as { command: unknown }).command;
}

function usageError(line: string, message: RegExp, usage: RegExp): void {
  const r = parse(line);
  assert.equal(r.kind, 'error', `${line}: ${JSON.stringify(r)}`);
  const e = r as { message: string; usage: string };
  assert.match(e.message, message);
  assert.doesNotMatch(e.message, /\n/, 'one line');
  assert.match(e.usage, usage);
}

describe('command line: the config file', () => {
  for (const line of ['run --config /x.yml', 'run --config=/x.yml', 'run -c /x.yml', 'run -c/x.yml']) {
    it(`"${line}" reads /x.yml`, () => {
      assert.deepEqual(command(line), { command: 'run', config: '/x.yml', logLevel: 'info', logFormat: 'auto' });
    });
  }

  it(`defaults to ${DEFAULT_CONFIG} for run, check and release`, () => {
    assert.equal(DEFAULT_CONFIG, '/etc/floatip/floatip.yml');
    assert.deepEqual(command('run'), { command: 'run', config: DEFAULT_CONFIG, logLevel: 'info', logFormat: 'auto' });
    assert.deepEqual(command('check'), { command: 'check', config: DEFAULT_CONFIG });
    assert.deepEqual(command('release'), { command: 'release', config: DEFAULT_CONFIG, logLevel: 'info', logFormat: 'auto' });
  });

  it('a value that starts with a dash is given with =', () => {
    assert.deepEqual(command('check --config=-odd.yml'), { command: 'check', config: '-odd.yml' });
    usageError('check --config -odd.yml', /^check: --config needs a value \(a value that starts with - is written --config=-VALUE\)$/, /floatip check/);
  });

  it('refuses a missing, empty, repeated or -c= value', () => {
    usageError('run --config', /^run: --config needs a value$/, /usage: floatip run /);
    usageError('run -c', /^run: --config needs a value$/, /usage: floatip run /);
    usageError('check --config=', /^check: --config needs a value, got an empty one$/, /floatip check/);
    usageError('check -c a.yml --config b.yml', /^check: --config is given more than once$/, /floatip check/);
    usageError('check -c=a.yml', /^check: write -c FILE or --config=FILE, not -c=a\.yml$/, /floatip check/);
  });

  it('a file given without --config is refused, naming the option', () => {
    usageError('check /x.yml', /^check: unexpected argument "\/x\.yml": it takes options only \(a file is given as --config FILE\)$/, /floatip check/);
    usageError('run -- /x.yml', /unexpected argument "\/x\.yml"/, /floatip run/);
  });
});

describe('command line: options of each command', () => {
  it('run and release take --log-level and --log-format, both forms', () => {
    assert.deepEqual(command('run --log-level debug --log-format=json'), { command: 'run', config: DEFAULT_CONFIG, logLevel: 'debug', logFormat: 'json' });
    assert.deepEqual(command('release --log-format text -c /r.yml'), { command: 'release', config: '/r.yml', logLevel: 'info', logFormat: 'text' });
  });

  it('a bad value names the option and what is allowed', () => {
    usageError('run --log-level=loud', /^run: --log-level "loud" is not allowed: must be error, warn, info, debug$/, /floatip run/);
    usageError('release --log-format xml', /^release: --log-format "xml" is not allowed: must be auto, text, json$/, /floatip release/);
  });

  it('status: nothing, --config, --listen, --json', () => {
    assert.deepEqual(command('status'), { command: 'status', config: null, listen: null, json: false });
    assert.deepEqual(command('status -c /s.yml --json'), { command: 'status', config: '/s.yml', listen: null, json: true });
    assert.deepEqual(command('status --listen=10.0.0.1:9000'), { command: 'status', config: null, listen: HostPort.parse('10.0.0.1:9000'), json: false });
    assert.deepEqual(command('status --listen [::1]:61112'), { command: 'status', config: null, listen: HostPort.parse('[::1]:61112'), json: false });
  });

  it('status: a bad --listen, or both --config and --listen, is refused', () => {
    for (const bad of ['nope', ':80', 'host:', 'host:0', 'host:65536', 'host:8x']) {
      usageError(`status --listen=${bad}`, /^status: --listen ".*" is not allowed: must be HOST:PORT with a port from 1 to 65535/, /floatip status/);
    }
    usageError('status -c a.yml --listen 127.0.0.1:1', /^status: give --config or --listen, not both$/, /floatip status/);
  });

  it("an option of another command, or an unknown one, is refused with that command's usage", () => {
    usageError('check --json', /^check: unknown option "--json"$/, /^usage: floatip check {3}\[-c FILE\|--config=FILE\]\n\(floatip help check for more\)$/);
    usageError('check --log-level debug', /^check: unknown option "--log-level"$/, /floatip check/);
    usageError('run --listen 1.2.3.4:5', /^run: unknown option "--listen"$/, /floatip run/);
    usageError('run -x', /^run: unknown option "-x"$/, /floatip run/);
    usageError('status --json=yes', /^status: --json takes no value$/, /floatip status/);
  });
});

describe('command line: help, usage and version', () => {
  it('no arguments: the usage, as help (stdout, exit 0)', () => {
    assert.deepEqual(parse(''), { kind: 'help', text: USAGE });
  });

  for (const line of ['--help', '-h', 'help']) {
    it(`"${line}": the usage`, () => assert.deepEqual(parse(line), { kind: 'help', text: USAGE }));
  }

  for (const name of ['run', 'check', 'status', 'release'] as const) {
    it(`${name}: its own help from "${name} --help", "${name} -h", "help ${name}" and "--help ${name}"`, () => {
      for (const line of [`${name} --help`, `${name} -h`, `help ${name}`, `--help ${name}`, `${name} -c /x.yml --help`]) {
        assert.deepEqual(parse(line), { kind: 'help', text: COMMAND_HELP[name] }, line);
      }
      assert.match(COMMAND_HELP[name], new RegExp(`^usage: floatip ${name} `));
      assert.match(COMMAND_HELP[name], /-h, --help/);
      assert.notEqual(COMMAND_HELP[name], USAGE);
    });
  }

  it('the usage names every command, the default file, both value forms and the exit codes', () => {
    for (const word of ['floatip run', 'floatip check', 'floatip status', 'floatip release', 'floatip help [COMMAND]', '--version', DEFAULT_CONFIG, '--config FILE', '--config=FILE']) {
      assert.ok(USAGE.includes(word), word);
    }
    assert.match(USAGE, /exit codes: 0 .*\n.*2 configuration, precondition or usage error,\n.*3 a port/);
  });

  it('--version and -v', () => {
    assert.deepEqual(parse('--version'), { kind: 'version' });
    assert.deepEqual(parse('-v'), { kind: 'version' });
    usageError('--version run', /^--version takes no arguments, got "run"$/, /usage: floatip run/);
  });

  it('an unknown command or help topic, or an option before the command: the general usage', () => {
    usageError('start', /^unknown command "start": the commands are run, check, status, release$/, /floatip check[\s\S]*floatip release[\s\S]*\(floatip help for more\)$/);
    usageError('help start', /^no help for "start": the commands are run, check, status, release$/, /floatip status/);
    usageError('help run extra', /^help run takes nothing more, got "extra"$/, /floatip status/);
    usageError('--config /x.yml run', /^unknown option "--config": options go after the command$/, /floatip run/);
  });
});

describe('HOST:PORT', () => {
  it('takes the last colon, brackets off an IPv6 host', () => {
    assert.deepEqual({ ...HostPort.parse('127.0.0.1:61112') }, { host: '127.0.0.1', port: 61112 });
    assert.deepEqual({ ...HostPort.parse('localhost:1') }, { host: 'localhost', port: 1 });
    assert.deepEqual({ ...HostPort.parse('[::1]:65535') }, { host: '::1', port: 65535 });
    assert.equal(HostPort.parse('[::1]:65535')?.toString(), '[::1]:65535');
    assert.equal(HostPort.parse('127.0.0.1'), null);
    assert.equal(HostPort.parse('127.0.0.1:-1'), null);
  });
});
