import assert from 'node:assert/strict';

/**
 * The calls several fakes received, in one order, for tests about what happened before what. Fakes given the
 * same journal write into it ("table: bind eth0:fip", "guard: arm"); each fake has its own when none is given.
 */
export class CallJournal {
  readonly entries: string[] = [];

  record(entry: string): void {
    this.entries.push(entry);
  }

  /** The journal holds these entries exactly once each and in this order; other calls may come between. */
  assertInOrder(...expected: string[]): void {
    const wanted = new Set(expected);
    assert.deepEqual(
      this.entries.filter((e) => wanted.has(e)),
      expected,
      `expected in this order: ${expected.join(' < ')}\nthe journal: ${this.entries.join(' | ')}`,
    );
  }
}
