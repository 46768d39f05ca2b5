import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as floatip from '../../../src/index.js';
import { ADDRESS_TABLE_PORT, ANNOUNCER_PORT, CLOCK_PORT, CONFLICT_PROBE_PORT, HEALTH_PROBE_PORT, PEER_TRANSPORT_PORT, RELEASE_GUARD_PORT } from '../../../src/index.js';
import { aSettings } from '../../support/builders.js';
import { FakeClock } from '../../support/fake-clock.js';
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
      overrides: {
        [CLOCK_PORT]: clock,
        [ADDRESS_TABLE_PORT]: new FakeAddressTable(segment, 'me'),
        [CONFLICT_PROBE_PORT]: new FakeConflictProbe(segment, 'me'),
        [ANNOUNCER_PORT]: new FakeAnnouncer(),
        [RELEASE_GUARD_PORT]: new FakeReleaseGuard(),
        [PEER_TRANSPORT_PORT]: new FakeNetwork().transportFor('me'),
        [HEALTH_PROBE_PORT]: new FakeHealthProbe(),
      },
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

  it('a fresh container per call', () => {
    const a = floatip.createContainer({ settings: aSettings() });
    const b = floatip.createContainer({ settings: aSettings() });
    assert.notEqual(a, b);
    assert.notEqual(a.get(floatip.ElectMaster), b.get(floatip.ElectMaster));
  });
});
