import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../../support/golden-scenario.js';
import { replay } from '../../support/scenario-runner.js';

// The scenarios and traces stay in the source tree, found from this compiled file (dist/test/unit/golden/),
// so the test runs from any working directory and UPDATE_GOLDEN=1 rewrites the checked-in files.
const GOLDEN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../test/golden');
const update = process.env.UPDATE_GOLDEN === '1';

function files(ext: string): string[] {
  return readdirSync(GOLDEN).filter((f) => f.endsWith(ext)).map((f) => f.slice(0, -ext.length)).sort();
}

/** The first differing stretch of lines, with three lines of context each side, as in a unified diff. */
function firstDifference(expected: string, actual: string, context = 3, max = 40): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const from = Math.max(0, head - context);
  const out = [`@@ expected line ${head + 1}, actual line ${head + 1} @@`];
  for (const l of a.slice(from, head)) out.push(`  ${l}`);
  const removed = a.slice(head, a.length - tail).map((l) => `- ${l}`);
  const added = b.slice(head, b.length - tail).map((l) => `+ ${l}`);
  const body = [...removed, ...added];
  out.push(...body.slice(0, max));
  if (body.length > max) out.push(`… ${body.length - max} more changed lines`);
  for (const l of a.slice(a.length - tail, a.length - tail + context)) out.push(`  ${l}`);
  return out.join('\n');
}

describe('golden traces (test/golden/*.scenario replayed in virtual time)', () => {
  assert.ok(existsSync(GOLDEN), `no ${GOLDEN}: the compiled test expects the source tree two levels above dist/`);
  const scenarios = files('.scenario');

  it('finds the scenarios, and no trace without its scenario', () => {
    assert.ok(scenarios.length > 0, `no scenarios in ${GOLDEN}`);
    const orphans = files('.trace').filter((t) => !scenarios.includes(t));
    assert.deepEqual(orphans, [], 'traces whose scenario is gone');
  });

  for (const name of scenarios) {
    it(name, async () => {
      const scenario = parseScenario(name, readFileSync(join(GOLDEN, `${name}.scenario`), 'utf8'));
      const actual = await replay(scenario);
      assert.equal(await replay(scenario), actual, 'two replays of one scenario differ: the trace is not deterministic');
      const tracePath = join(GOLDEN, `${name}.trace`);
      if (update) {
        writeFileSync(tracePath, actual);
        return;
      }
      assert.ok(existsSync(tracePath), `no ${name}.trace: run the unit tests with UPDATE_GOLDEN=1 to record it`);
      const expected = readFileSync(tracePath, 'utf8');
      if (expected !== actual) {
        assert.fail(`${name}: the trace differs from test/golden/${name}.trace (UPDATE_GOLDEN=1 rewrites it if the change is meant)\n${firstDifference(expected, actual)}`);
      }
    });
  }
});

describe('the golden-trace diff', () => {
  it('shows the first changed lines with context', () => {
    const diff = firstDifference('a\nb\nc\nd\ne\n', 'a\nb\nX\nd\ne\n');
    assert.equal(diff, ['@@ expected line 3, actual line 3 @@', '  a', '  b', '- c', '+ X', '  d', '  e', '  '].join('\n'));
  });
});
