import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type winston from 'winston';
import { logFormat, safeFields, writesToJournal, type LogFormat } from '../../../src/infrastructure/index.js';

const LEVEL = Symbol.for('level');
const MESSAGE = Symbol.for('message');
const CHANGE = { from: 'BACKUP', to: 'MASTER', cause: 'timeout', term: 3, address: '198.18.0.100', interface: 'eth0' };

/** One line as the logger would write it, through the same format. */
function render(format: LogFormat, { tty = false, journal = false, level = 'info', fields = {} as Record<string, unknown> } = {}): string {
  const info = { ...safeFields(fields as never), level, message: 'BACKUP -> MASTER: no heartbeat for 10000 ms', [LEVEL]: level };
  const out = logFormat(format, tty, journal).transform(info as winston.Logform.TransformableInfo);
  return String((out as Record<symbol, unknown>)[MESSAGE]);
}

describe('structured log lines', () => {
  it('JSON: a state change carries from, to, cause, term, address and interface as top-level keys', () => {
    const line = JSON.parse(render('json', { fields: CHANGE })) as Record<string, unknown>;
    assert.deepEqual({ ...line, timestamp: 'x' }, { ...CHANGE, level: 'info', message: 'BACKUP -> MASTER: no heartbeat for 10000 ms', timestamp: 'x' });
    assert.match(String(line['timestamp']), /^\d{4}-\d\d-\d\dT/);
  });

  it('text: one line with the message as it was, fields left out', () => {
    const line = render('text', { tty: true, fields: CHANGE });
    assert.match(line, /^\S+ info {2}BACKUP -> MASTER: no heartbeat for 10000 ms$/);
  });

  it("a field named level, message or timestamp cannot pose as the line's own keys", () => {
    const line = JSON.parse(render('json', { fields: { level: 'error', message: 'forged', timestamp: '1970-01-01' } })) as Record<string, unknown>;
    assert.equal(line['level'], 'info');
    assert.equal(line['message'], 'BACKUP -> MASTER: no heartbeat for 10000 ms');
    assert.notEqual(line['timestamp'], '1970-01-01');
    assert.deepEqual([line['field_level'], line['field_message'], line['field_timestamp']], ['error', 'forged', '1970-01-01']);
    // and the journal priority follows the real level
    assert.match(render('json', { journal: true, fields: { level: 'error' } }), /^<6>\{/);
  });

  it('odd names are dropped, values kept primitive and bounded', () => {
    const fields = safeFields({ __proto__x: 1, 'a b': 2, '': 3, ok: 'x'.repeat(5000), n: Number.NaN, obj: { toString: () => 'obj' } as never, nil: null, yes: true });
    assert.deepEqual(Object.keys(fields), ['ok', 'n', 'obj', 'nil', 'yes']);
    assert.equal((fields['ok'] as string).length, 1024);
    assert.equal(fields['n'], 'NaN');
    assert.equal(fields['obj'], 'obj');
    assert.equal(Object.keys(safeFields(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i])))).length, 32);
    assert.deepEqual(safeFields(undefined), {});
  });
});

describe('journald priority', () => {
  const stdout = { dev: 25, ino: 4711 };

  it('stdout is the journal only when JOURNAL_STREAM names its device and inode', () => {
    assert.equal(writesToJournal({ JOURNAL_STREAM: '25:4711' }, stdout), true);
    assert.equal(writesToJournal({}, stdout), false);
    assert.equal(writesToJournal({ JOURNAL_STREAM: '' }, stdout), false);
    // inherited by a child whose stdout is a pipe to its parent, not the journal
    assert.equal(writesToJournal({ JOURNAL_STREAM: '25:9999' }, stdout), false);
    assert.equal(writesToJournal({ JOURNAL_STREAM: '25:4711' }, null), false);
  });

  it('each line starts with <N>: error 3, warn 4, info 6, debug 7, in JSON and in text', () => {
    for (const [level, n] of [['error', 3], ['warn', 4], ['info', 6], ['debug', 7]] as const) {
      assert.match(render('json', { journal: true, level }), new RegExp(`^<${n}>\\{"level":"${level}"`));
      assert.match(render('text', { journal: true, level, tty: true }), new RegExp(`^<${n}>\\S+ ${level}`));
    }
  });

  it('no prefix without the journal', () => {
    assert.match(render('json'), /^\{/);
    assert.match(render('text', { tty: true }), /^\d/);
  });

  it('the logger itself: JSON with the fields and the priority when its stdout is the journal stream', () => {
    // the child plays systemd: JOURNAL_STREAM names its own stdout, as systemd's does
    const url = new URL('../../../src/infrastructure/index.js', import.meta.url).href;
    const script = `
      import { fstatSync } from 'node:fs';
      const { WinstonLogger } = await import(${JSON.stringify(url)});
      const st = fstatSync(1);
      const journal = new WinstonLogger('debug', 'auto', { JOURNAL_STREAM: st.dev + ':' + st.ino });
      journal.warn('MASTER -> STOPPED: x', { from: 'MASTER', to: 'STOPPED', level: 'debug' });
      new WinstonLogger('info', 'auto', {}).info('plain');
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [first, second] = r.stdout.trim().split('\n');
    assert.match(first!, /^<4>\{/);
    const line = JSON.parse(first!.slice(3)) as Record<string, unknown>;
    assert.deepEqual([line['level'], line['from'], line['to'], line['field_level']], ['warn', 'MASTER', 'STOPPED', 'debug']);
    assert.match(second!, /^\{"level":"info","message":"plain"/);
  });
});
