import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { YamlConfigLoader, type ExecutableLookup, type Nic, type ResolvedConfig } from '../../../src/infrastructure/index.js';
import { formatSettings } from '../../../src/interfaces/cli/format-settings.js';
import { configuredPrograms, programProblems } from '../../../src/interfaces/cli/programs.preflight.js';

const SECRET = 'kH7#not-to-be-shown-9QxZ';
const OLD_SECRET = 'older-secret-also-hidden-4242';
const HOST: Nic[] = [{ name: 'eth0', addresses: [{ ip: '198.18.0.11', netmask: '255.255.255.0' }], virtual: false, bridge: false, loopback: false }];
const loader = new YamlConfigLoader({ list: () => HOST });

function resolve(section: string): ResolvedConfig {
  const loaded = loader.loadText(`floating_ip:\n  enabled: true\n${section}`, 'floatip.yml');
  assert.equal(loaded.kind, 'resolved');
  return loaded as ResolvedConfig;
}

/** Answers from a table, and remembers what it was asked. */
class FakeLookup {
  private readonly asked: string[] = [];
  constructor(private readonly problems: Record<string, string>) {}
  readonly lookup = (name: string): ExecutableLookup => {
    this.asked.push(name);
    const problem = this.problems[name];
    return problem === undefined ? { found: true, path: `/usr/bin/${name}` } : { found: false, problem };
  };
  assertAsked(names: string[]): void {
    assert.deepEqual(this.asked, names);
  }
}

const FULL = `  peers: [198.18.0.12]
  witness: [198.18.0.1, 198.18.0.254]
  checks:
    - name: proxy
      tcp: 127.0.0.1:8000
      weight: 20
    - http: http://admin:hunter2@127.0.0.1:9000/health
      fatal: true
      interval_in_ms: 5000
      timeout_in_ms: 3000
    - command: [/usr/local/bin/check-db, --quick, "a b"]
      weight: 5
      fall: 4
      rise: 1
  notify:
    on_master: /usr/local/bin/hook master
    on_fault: [notify-send, fault]
    command: logger -t floatip
    timeout_in_ms: 5000
  status:
    listen: 127.0.0.1:9100
`;

describe('floatip check: the settings it prints', () => {
  it('inline secret: says signed and inline, never the secret nor a piece of it', () => {
    const out = formatSettings('floatip.yml', resolve(`  auth:\n    secret: ["${SECRET}", "${OLD_SECRET}"]\n`));
    assert.match(out, /^floatip\.yml: valid$/m);
    assert.match(out, /^ {2}auth\s+heartbeats signed \(HMAC-SHA256\), 2 secrets inline in floatip\.yml \(the first signs\)$/m);
    assert.match(out, /^ {2}auth\.max_clock_skew_in_ms\s+30000$/m);
    for (const secret of [SECRET, OLD_SECRET]) {
      for (const piece of [secret, secret.slice(0, 8), secret.slice(-8), Buffer.from(secret).toString('hex').slice(0, 16), Buffer.from(secret).toString('base64').slice(0, 12)]) {
        assert.ok(!out.includes(piece), `the output shows ${JSON.stringify(piece)}`);
      }
    }
  });

  describe('secret file', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'floatip-check-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('names the file, never its content', () => {
      const file = join(dir, 'secret');
      writeFileSync(file, `# rotated monthly\n${SECRET}\n`);
      chmodSync(file, 0o600);
      const resolved = resolve(`  auth:\n    secret_file: ${file}\n    max_clock_skew_in_ms: 5000\n`);
      assert.deepEqual(resolved.auth?.secrets, [SECRET], 'the loader read it');
      const out = formatSettings('floatip.yml', resolved);
      assert.match(out, new RegExp(`^ {2}auth\\s+heartbeats signed \\(HMAC-SHA256\\), 1 secret from ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
      assert.match(out, /^ {2}auth\.max_clock_skew_in_ms\s+5000$/m);
      assert.ok(!out.includes(SECRET) && !out.includes(SECRET.slice(0, 6)) && !out.includes('rotated monthly'));
    });
  });

  it('without auth: off', () => {
    const out = formatSettings('floatip.yml', resolve(''));
    assert.match(out, /^ {2}auth\s+off: heartbeats are not signed$/m);
    assert.match(out, /^ {2}checks\s+\(none\)$/m);
    assert.match(out, /^ {2}witness\s+\(none; no self-fencing\)$/m);
    assert.match(out, /^ {2}notify\s+\(no hooks\)$/m);
    assert.match(out, /^ {2}status\.listen\s+127\.0\.0\.1:61112$/m);
  });

  it('checks with kind, target and timing as configured, witnesses, hooks per state, the status listener', () => {
    const out = formatSettings('floatip.yml', resolve(FULL));
    const row = (key: string, value: string): void => {
      const line = out.split('\n').find((l) => l.trimStart().startsWith(`${key} `));
      assert.ok(line, `no ${key} row in\n${out}`);
      assert.equal(line.trim().slice(key.length).trim(), value);
    };
    row('checks[0]', 'proxy: tcp 127.0.0.1:8000; every 2000 ms, timeout 1000 ms, fall 3, rise 2, weight 20');
    row('checks[1]', 'http:http://127.0.0.1:9000/health: http GET http://admin:***@127.0.0.1:9000/health; every 5000 ms, timeout 3000 ms, fall 3, rise 2, fatal (FAULT while failing)');
    row('checks[2]', 'command:/usr/local/bin/check-db: command /usr/local/bin/check-db --quick "a b"; every 2000 ms, timeout 1000 ms, fall 4, rise 1, weight 5');
    row('witness', '198.18.0.1, 198.18.0.254');
    row('notify.on_master', '/usr/local/bin/hook master');
    row('notify.on_fault', 'notify-send fault');
    row('notify.command', 'logger -t floatip  (every state)');
    row('notify.timeout_in_ms', '5000  (each hook gets: STATE ADDRESS INTERFACE REASON after its own arguments)');
    row('status.listen', '127.0.0.1:9100');
    assert.doesNotMatch(out, /notify\.on_backup|notify\.on_stop/);
    assert.ok(!out.includes('hunter2'), 'a password in a check URL is hidden');
  });

  it('status off, and the verdict the caller gives', () => {
    const out = formatSettings('floatip.yml', resolve('  status:\n    listen: "off"\n'), '1 problem (below)');
    assert.match(out, /^floatip\.yml: 1 problem \(below\)$/m);
    assert.match(out, /^ {2}status\.listen\s+off$/m);
  });
});

describe('floatip check: hook and check programs', () => {
  it('looks up each program that will run, keyed as in the file; tcp and http checks run none', () => {
    const settings = resolve(FULL).settings;
    assert.deepEqual(configuredPrograms(settings), [
      { key: 'floating_ip.checks[2].command', argv: ['/usr/local/bin/check-db', '--quick', 'a b'] },
      { key: 'floating_ip.notify.on_master', argv: ['/usr/local/bin/hook', 'master'] },
      { key: 'floating_ip.notify.on_fault', argv: ['notify-send', 'fault'] },
      { key: 'floating_ip.notify.command', argv: ['logger', '-t', 'floatip'] },
    ]);
    const fake = new FakeLookup({});
    assert.deepEqual(programProblems(settings, fake.lookup), []);
    // argv[0] exactly: commands never go through a shell, so nothing else could be the program
    fake.assertAsked(['/usr/local/bin/check-db', '/usr/local/bin/hook', 'notify-send', 'logger']);
  });

  it('one line per program that cannot start, naming the key and why', () => {
    const fake = new FakeLookup({
      '/usr/local/bin/check-db': '/usr/local/bin/check-db is not executable (mode 0644)',
      'notify-send': 'notify-send: not found on PATH (/usr/bin:/bin)',
    });
    assert.deepEqual(programProblems(resolve(FULL).settings, fake.lookup), [
      'floating_ip.checks[2].command: /usr/local/bin/check-db is not executable (mode 0644)',
      'floating_ip.notify.on_fault: notify-send: not found on PATH (/usr/bin:/bin)',
    ]);
  });

  it('by default asks the file system: a directory as a hook fails', () => {
    const settings = resolve('  notify:\n    on_stop: [/]\n').settings;
    assert.deepEqual(programProblems(settings), ['floating_ip.notify.on_stop: / is a directory']);
  });
});
