// The fakes by role; this file keeps the one import path the tests have always used.
export { CallJournal } from './call-journal.js';
export { FakeAddressTable, FakeConflictProbe, FakeSegment } from './fake-segment.js';
export { FakeAnnouncer, FakeHealthProbe, FakeReleaseGuard } from './fake-host-ports.js';
export { FakeNetwork, FakeTransport } from './fake-network.js';
export { RecordingLogger, RecordingMetrics, RecordingNotifier } from './recording-ports.js';
export { FakeHostProbe } from './fake-host-probe.js';
