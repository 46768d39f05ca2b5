import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ipv4Address, MAX_BATCH_ENTRIES, parseHeartbeats, toBatchWire, toWire } from '../../../src/domain/index.js';
import { aHeartbeat } from '../../support/builders.js';

const ID = '198.18.0.12';
const entry = (vip: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({ vip, pri: 100, st: 'MASTER', term: 1, pre: false, seq: 5, ...over });
const batch = (entries: unknown[], over: Record<string, unknown> = {}): Record<string, unknown> => ({ v: 2, id: ID, seq: 9, a: entries, ...over });
const reason = (data: unknown): string => {
  const r = parseHeartbeats(data);
  assert.equal(r.ok, false);
  return (r as { reason: string }).reason;
};

describe('heartbeat batches (protocol v2): one frame, every address of a node', () => {
  it('round-trips several addresses of either family', () => {
    const messages = [aHeartbeat({ id: ID, vip: '198.18.0.234' }), aHeartbeat({ id: ID, vip: '198.18.0.235', state: 'MASTER' })];
    const wire = toBatchWire({ id: Ipv4Address.create(ID), seq: 3, messages });
    (wire['a'] as Record<string, unknown>[]).push(entry('fd00:198:18:0::234'));
    const parsed = parseHeartbeats(JSON.parse(JSON.stringify(wire)));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.messages.map((m) => `${m.vip.toString()} ${m.state}`), ['198.18.0.234 BACKUP', '198.18.0.235 MASTER', 'fd00:198:18::234 MASTER']);
  });

  it('still reads a single-address node\'s v1 heartbeat', () => {
    const parsed = parseHeartbeats(toWire(aHeartbeat({ id: ID })));
    assert.ok(parsed.ok);
    assert.equal(parsed.messages.length, 1);
  });

  it('refuses the whole frame for one bad entry, a repeated address, too many entries or none', () => {
    assert.equal(reason(batch([entry('198.18.0.234'), entry('198.18.0.235', { st: 'KING' })])), 'bad state');
    assert.equal(reason(batch([entry('198.18.0.234'), entry('198.18.0.234')])), '198.18.0.234 listed twice');
    assert.match(reason(batch(Array.from({ length: MAX_BATCH_ENTRIES + 1 }, (_, i) => entry(`198.18.1.${i}`)))), /more than 32/);
    assert.equal(reason(batch([])), 'no addresses');
    assert.equal(reason(batch(['198.18.0.234'])), 'an address entry is not an object');
    assert.equal(reason(batch([entry('198.18.0.234')], { seq: -1 })), 'bad seq');
    assert.equal(reason(batch([entry('198.18.0.234')], { id: 'fd00::1' })), 'bad id');
    assert.equal(reason(batch([entry('not-an-ip')])), 'bad vip');
  });
});
