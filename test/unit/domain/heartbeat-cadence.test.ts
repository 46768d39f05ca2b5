import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EchoTiming, PeerNode, heirsOf, isLonelyMaster, isTickless, tickPeriodMs, tickSpeaks, type CadenceView } from '../../../src/domain/index.js';
import { aHeartbeat } from '../../support/builders.js';

const T = EchoTiming.create({ intervalMs: 100, timeoutMs: 1000 });
const view = (over: Partial<CadenceView>): CadenceView => ({ state: 'BACKUP', hearsMaster: true, inConflict: false, ...over });
const peer = (state: 'BACKUP' | 'MASTER' | 'FAULT', seenAt: number): PeerNode => PeerNode.fromHeartbeat(aHeartbeat({ state }), seenAt);

describe('heartbeat cadence', () => {
  it('a backup that hears its master has no tick; without a master, or after a conflict, it ticks', () => {
    assert.equal(isTickless(view({}), T), true);
    assert.equal(isTickless(view({ hearsMaster: false }), T), false);
    assert.equal(isTickless(view({ inConflict: true }), T), false);
    assert.equal(isTickless(view({ state: 'MASTER' }), T), false);
    assert.equal(isTickless(view({}), EchoTiming.create({ intervalMs: 100, timeoutMs: 250 })), false, 'a lease too short for the probe lead');
  });

  it('ticks every interval as master, four times as often when it hears none of its peers, and slower as a backup', () => {
    assert.equal(tickPeriodMs(view({ state: 'MASTER' }), false, T), 100);
    assert.equal(tickPeriodMs(view({ state: 'MASTER' }), true, T), 25);
    assert.equal(tickPeriodMs(view({ state: 'INIT' }), false, T), 100);
    assert.equal(tickPeriodMs(view({}), false, T), 1000);
    assert.equal(tickPeriodMs(view({ hearsMaster: false }), false, T), 333);
    assert.equal(tickPeriodMs(view({ inConflict: true }), false, T), 100);
  });

  it('a master always speaks on its tick; a backup once its quiet period is over, an interval later while it hears a master', () => {
    assert.equal(tickSpeaks(view({ state: 'MASTER' }), 10, 5, T), true);
    assert.equal(tickSpeaks(view({ hearsMaster: false }), 949, 0, T), false);
    assert.equal(tickSpeaks(view({ hearsMaster: false }), 950, 0, T), true);
    assert.equal(tickSpeaks(view({}), 1049, 0, T), false);
    assert.equal(tickSpeaks(view({}), 1050, 0, T), true);
  });

  it('a master is lonely when it has peers and hears none of them when due; a peer that left does not count', () => {
    assert.equal(isLonelyMaster('MASTER', [], 5000, T), false, 'alone from the start is not a partition');
    assert.equal(isLonelyMaster('MASTER', [peer('BACKUP', 4000)], 5000, T), false, 'a backup is heard once per quiet period');
    assert.equal(isLonelyMaster('MASTER', [peer('BACKUP', 3800)], 5000, T), true);
    assert.equal(isLonelyMaster('BACKUP', [peer('BACKUP', 0)], 5000, T), false);
    const gone = peer('BACKUP', 0);
    gone.markLost('refused', 10);
    assert.equal(isLonelyMaster('MASTER', [gone], 5000, T), false);
  });

  it('a stopping master hands over only to a peer heard when due that may take the address', () => {
    assert.equal(heirsOf([peer('BACKUP', 4500)], 5000, T).length, 1);
    assert.equal(heirsOf([peer('FAULT', 4990)], 5000, T).length, 0);
    assert.equal(heirsOf([peer('BACKUP', 3800)], 5000, T).length, 0, 'alive for 2.5 timeouts, but not heard when due');
  });
});
