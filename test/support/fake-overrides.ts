import {
  ADDRESS_TABLE_PORT,
  ANNOUNCER_PORT,
  CLOCK_PORT,
  CONFLICT_PROBE_PORT,
  HEALTH_PROBE_PORT,
  HOST_PROBE_PORT,
  LOGGER_PORT,
  METRICS_PORT,
  NOTIFIER_PORT,
  PEER_TRANSPORT_PORT,
  RELEASE_GUARD_PORT,
  type AddressTablePort,
  type AnnouncerPort,
  type ClockPort,
  type ConflictProbePort,
  type HealthProbePort,
  type HostProbePort,
  type LoggerPort,
  type MetricsPort,
  type NotifierPort,
  type PeerTransportPort,
  type ReleaseGuardPort,
} from '../../src/index.js';
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

/** One node's ports, by role: what a simulated cluster builds for each node. */
export interface NodePorts {
  readonly clock: ClockPort;
  readonly table: AddressTablePort;
  readonly probe: ConflictProbePort;
  readonly announcer: AnnouncerPort;
  readonly guard: ReleaseGuardPort;
  readonly transport: PeerTransportPort;
  readonly logger: LoggerPort;
  readonly health: HealthProbePort;
  readonly notifier: NotifierPort;
  readonly metrics: MetricsPort;
  /** kernel-level probes of the master's host (echo.host_timeout_in_ms); absent: the real one, never asked */
  readonly hostProbe?: HostProbePort;
}

/** The container overrides that put a node's ports in place of every adapter. */
export function overridesOf(p: NodePorts): ContainerOverrides {
  return {
    [CLOCK_PORT]: p.clock,
    [ADDRESS_TABLE_PORT]: p.table,
    [CONFLICT_PROBE_PORT]: p.probe,
    [ANNOUNCER_PORT]: p.announcer,
    [RELEASE_GUARD_PORT]: p.guard,
    [PEER_TRANSPORT_PORT]: p.transport,
    [LOGGER_PORT]: p.logger,
    [HEALTH_PROBE_PORT]: p.health,
    [NOTIFIER_PORT]: p.notifier,
    [METRICS_PORT]: p.metrics,
    ...(p.hostProbe ? { [HOST_PROBE_PORT]: p.hostProbe } : {}),
  };
}
