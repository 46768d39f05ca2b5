import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as floatip from '../../../src/index.js';
import { ADDRESS_TABLE_PORT, ANNOUNCER_PORT, CLOCK_PORT, CONFLICT_PROBE_PORT, HEALTH_PROBE_PORT, LOGGER_PORT, PEER_TRANSPORT_PORT, RELEASE_GUARD_PORT } from '../../../src/index.js';
import { aSettings } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-clock.js';
import { aLoneNodesPorts } from '../../support/fake-overrides.js';
import { FakeAddressTable, FakeAnnouncer, FakeConflictProbe, FakeHealthProbe, FakeNetwork, FakeReleaseGuard, FakeSegment, RecordingLogger } from '../../support/fakes.js';

describe('embedding', () => {
  it('the README shows examples/embed.ts word for word (the build compiles that file)', () => {
    const example = readFileSync('examples/embed.ts', 'utf8').trim();
    const readme = readFileSync('README.md', 'utf8');
    assert.ok(readme.includes(example), 'README embedding example is out of date with examples/embed.ts');
  });

  it('the package exports the use cases, ports, entities, container and facade', () => {
    for (const name of ['ElectMaster', 'BindAddress', 'ReleaseAddress', 'FloatingAddress', 'PeerNode', 'Lease', 'createContainer', 'FloatipService', 'ADDRESS_TABLE_PORT']) {
      assert.ok(name in floatip, `missing export ${name}`);
    }
  });

  it('the facade runs a node with swapped adapters and reports its state', async () => {
    const clock = new FakeClock();
    const segment = new FakeSegment();
    const service = new floatip.FloatipService({
      settings: aSettings(),
      preflight: false,
      logger: new RecordingLogger(),
      overrides: { ...aLoneNodesPorts(clock, segment) },
    });
    const states: string[] = [];
    service.onStateChange((c) => states.push(c.to));
    await service.start();
    await clock.advance(4000);
    assert.equal(service.state, 'MASTER');
    assert.equal(service.status().holder, '198.18.0.11');
    await service.stop();
    assert.deepEqual(states, ['INIT', 'MASTER', 'STOPPED']);
    assert.equal(segment.holders.size, 0);
  });

  it('a fresh container per call: nothing given to or started in one is seen by another', async () => {
    const segment = new FakeSegment();
    const fakesFor = (id: string) => ({
      clock: new FakeClock(),
      table: new FakeAddressTable(segment, id),
      transport: new FakeNetwork().transportFor(id),
    });
    const containerWith = (id: string, f: ReturnType<typeof fakesFor>) =>
      floatip.createContainer({
        settings: aSettings({ id }),
        overrides: {
          [CLOCK_PORT]: f.clock,
          [ADDRESS_TABLE_PORT]: f.table,
          [CONFLICT_PROBE_PORT]: new FakeConflictProbe(segment, id),
          [ANNOUNCER_PORT]: new FakeAnnouncer(),
          [RELEASE_GUARD_PORT]: new FakeReleaseGuard(),
          [PEER_TRANSPORT_PORT]: f.transport,
          [HEALTH_PROBE_PORT]: new FakeHealthProbe(),
          [LOGGER_PORT]: new RecordingLogger(),
        },
      });
    const fa = fakesFor('198.18.0.11');
    const fb = fakesFor('198.18.0.12');
    const a = containerWith('198.18.0.11', fa);
    const b = containerWith('198.18.0.12', fb);
    // each container hands out the overrides it was given, and its own singletons
    assert.equal(a.get(CLOCK_PORT), fa.clock);
    assert.equal(b.get(CLOCK_PORT), fb.clock);
    assert.equal(b.get(PEER_TRANSPORT_PORT), fb.transport);
    assert.equal(a.get<floatip.NodeSettings>(floatip.NODE_SETTINGS).localIp.toString(), '198.18.0.11');
    assert.equal(b.get<floatip.NodeSettings>(floatip.NODE_SETTINGS).localIp.toString(), '198.18.0.12');
    const nodeA = a.get(floatip.FailoverNode);
    assert.equal(a.get(floatip.FailoverNode), nodeA, 'one node per container');
    const nodeB = b.get(floatip.FailoverNode);
    assert.notEqual(nodeB, nodeA);
    const stateB = nodeB.state;
    // a node started in one container runs on that container's clock and adapters only
    await nodeA.start();
    await fa.clock.advance(4000);
    assert.equal(nodeA.state, 'MASTER');
    fa.table.assertBound();
    assert.equal(nodeB.state, stateB, "the other container's node was never started");
    assert.equal(fb.clock.pendingTimers, 0, "nothing was scheduled on the other container's clock");
    fb.table.assertUntouched();
    fb.transport.assertNothingSent();
    // and a container given no clock gets the system's, not the fake another one was given
    const plain = floatip.createContainer({ settings: aSettings() });
    assert.notEqual(plain.get(CLOCK_PORT), fa.clock);
    assert.notEqual(plain.get(CLOCK_PORT), fb.clock);
    assert.ok(!(plain.get(CLOCK_PORT) instanceof FakeClock));
    await nodeA.stop();
  });
});
