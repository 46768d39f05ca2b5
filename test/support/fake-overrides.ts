import { ADDRESS_TABLE_PORT, ANNOUNCER_PORT, CLOCK_PORT, CONFLICT_PROBE_PORT, HEALTH_PROBE_PORT, PEER_TRANSPORT_PORT, RELEASE_GUARD_PORT } from '../../src/index.js';
import type { ContainerOverrides } from '../../src/interfaces/container.js';
import { FakeClock } from './fake-clock.js';
import { FakeAddressTable, FakeAnnouncer, FakeConflictProbe, FakeHealthProbe, FakeNetwork, FakeReleaseGuard, FakeSegment } from './fakes.js';

/** Every port a lone node touches, as fakes on one segment, for the facade (FloatipService) in unit tests. */
export function aLoneNodesPorts(clock = new FakeClock(), segment = new FakeSegment()): ContainerOverrides {
  return {
    [CLOCK_PORT]: clock,
    [ADDRESS_TABLE_PORT]: new FakeAddressTable(segment, 'me'),
    [CONFLICT_PROBE_PORT]: new FakeConflictProbe(segment, 'me'),
    [ANNOUNCER_PORT]: new FakeAnnouncer(),
    [RELEASE_GUARD_PORT]: new FakeReleaseGuard(),
    [PEER_TRANSPORT_PORT]: new FakeNetwork().transportFor('me'),
    [HEALTH_PROBE_PORT]: new FakeHealthProbe(),
  };
}
