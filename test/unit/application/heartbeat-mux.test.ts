import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeartbeatMux, type TransportListener } from '../../../src/application/index.js';
import type { HeartbeatMessage, Ipv4Address } from '../../../src/domain/index.js';
import { aHeartbeat } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeNetwork } from '../../support/fakes.js';

class HeardBy implements TransportListener {
  readonly heard: string[] = [];
  readonly lost: string[] = [];
  onHeartbeat(m: HeartbeatMessage): void {
    this.heard.push(m.vip.toString());
  }
  onPeerLost(id: Ipv4Address): void {
    this.lost.push(id.toString());
  }
}

describe('the heartbeat mux: several addresses on one transport', () => {
  it('sends what its lanes say in one turn as one frame', async () => {
    const clock = new FakeClock();
    const transport = new FakeNetwork(null, clock).transportFor('a');
    const mux = new HeartbeatMux(transport, clock);
    const lanes = ['198.18.0.234', '198.18.0.235', 'fd00:198:18::234'].map((ip) => mux.lane(ip));
    for (const l of lanes) await l.start(new HeardBy());
    const sent = lanes.map((l, i) => l.send(aHeartbeat({ id: '198.18.0.11', vip: ['198.18.0.234', '198.18.0.235', 'fd00:198:18::234'][i]! })));
    await clock.advance(1);
    await Promise.all(sent);
    assert.equal(transport.frames, 1);
    assert.equal(transport.sent.length, 3);
  });

  it('routes a heartbeat to its address\'s lane, and a lost peer to every lane', async () => {
    const clock = new FakeClock();
    const network = new FakeNetwork(null, clock);
    const transport = network.transportFor('a');
    const mux = new HeartbeatMux(transport, clock);
    const x = new HeardBy();
    const y = new HeardBy();
    await mux.lane('198.18.0.234').start(x);
    await mux.lane('198.18.0.235').start(y);
    transport.receive(aHeartbeat({ vip: '198.18.0.235' }));
    transport.receive(aHeartbeat({ vip: '198.18.0.99' }));
    transport.lose(aHeartbeat().id);
    assert.deepEqual([x.heard, y.heard], [[], ['198.18.0.235']]);
    assert.deepEqual([x.lost, y.lost], [['198.18.0.12'], ['198.18.0.12']]);
  });

  it('moves a tick earlier onto another lane\'s, by at most half its period', async () => {
    const clock = new FakeClock();
    const mux = new HeartbeatMux(new FakeNetwork(null, clock).transportFor('a'), clock);
    const a = mux.lane('198.18.0.234');
    const b = mux.lane('198.18.0.235');
    await a.start(new HeardBy());
    await b.start(new HeardBy());
    assert.equal(a.alignTick!(1000), 1000);
    await clock.advance(300);
    assert.equal(b.alignTick!(1000), 700, 'onto a\'s tick, 300 ms early');
    await clock.advance(300);
    assert.equal(b.alignTick!(1000), 1000, 'a\'s tick is 400 ms away: more than half a period early');
  });

  it('starts the transport with the first lane and stops it with the last', async () => {
    const clock = new FakeClock();
    const transport = new FakeNetwork(null, clock).transportFor('a');
    const mux = new HeartbeatMux(transport, clock);
    const a = mux.lane('198.18.0.234');
    const b = mux.lane('198.18.0.235');
    await a.start(new HeardBy());
    await b.start(new HeardBy());
    await a.stop();
    assert.equal(transport.started, true, 'b still runs');
    await b.stop();
    assert.equal(transport.started, false);
  });
});
