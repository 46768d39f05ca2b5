import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScenario } from '../../support/golden-scenario.js';

const parse = (text: string) => parseScenario('x', text);

describe('golden scenario files', () => {
  it('reads settings, events in order and their options', () => {
    const s = parse('# c\nset timeout=3000 interval=500\nt=0 start node1\nt=0 join node2 priority=200 preempt=true\nt=10 partition node1 | node2\nt=20 heal\nt=30 kill9 node2 guard-delay=40\nt=40 end\n');
    assert.equal(s.timeoutMs, 3000);
    assert.equal(s.intervalMs, 500);
    assert.deepEqual(s.events.map((e) => `${e.at} ${e.kind}`), ['0 start', '0 start', '10 partition', '20 heal', '30 kill9', '40 end']);
    assert.deepEqual(s.events[1], { at: 0, line: 4, kind: 'start', node: 'node2', priority: 200, preempt: true });
  });

  const bad: [string, string, RegExp][] = [
    ['no end', 't=0 start node1\n', /last event must be "t=<ms> end"/],
    ['time going back', 't=5 start node1\nt=4 end\n', /line 2: time goes backwards/],
    ['an unknown event', 't=0 reboot node1\nt=1 end\n', /line 1: unknown event "reboot"/],
    ['an unknown node', 't=0 crash node1\nt=1 end\n', /node1 was not started/],
    ['a bad node name', 't=0 start db1\nt=1 end\n', /bad node name "db1"/],
    ['a node started twice', 't=0 start node1\nt=0 start node1\nt=1 end\n', /started already/],
    ['a node gone twice', 't=0 start node1\nt=1 crash node1\nt=2 sigterm node1\nt=3 end\n', /already gone/],
    ['an unknown option', 't=0 start node1 weight=3\nt=1 end\n', /expected priority=… preempt=…/],
    ['a bad preempt', 't=0 start node1 preempt=yes\nt=1 end\n', /preempt is true or false/],
    ['a partition of two big sides', 't=0 start node1\nt=0 start node2\nt=0 start node3\nt=0 start node4\nt=1 partition node1 node2 | node3 node4\nt=2 end\n', /every side but the largest/],
    ['a partition leaving a node out', 't=0 start node1\nt=0 start node2\nt=0 start node3\nt=1 partition node1 | node2\nt=2 end\n', /name every running node/],
    ['a heal without partition', 't=0 start node1\nt=1 heal\nt=2 end\n', /nothing to heal/],
    ['set after events', 't=0 start node1\nset timeout=1\nt=1 end\n', /before the first event/],
    ['events after end', 't=0 end\nt=1 start node1\n', /nothing may follow "end"/],
  ];
  for (const [what, text, error] of bad) {
    it(`rejects ${what}, naming the line`, () => assert.throws(() => parse(text), error));
  }
});
