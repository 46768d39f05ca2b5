import 'reflect-metadata';
import { Container } from 'inversify';
import {
  ADDRESS_TABLE_PORT,
  ANNOUNCER_PORT,
  BindAddress,
  CLOCK_PORT,
  CONFLICT_PROBE_PORT,
  ELECTION_STRATEGY_PORT,
  ElectMaster,
  FailoverNode,
  HEALTH_PROBE_PORT,
  HOST_PROBE_PORT,
  HealthMonitor,
  LOGGER_PORT,
  METRICS_PORT,
  NOTIFIER_PORT,
  NODE_SETTINGS,
  PEER_TRANSPORT_PORT,
  QUORUM_PORT,
  RELEASE_GUARD_PORT,
  ReleaseAddress,
  VerifyHolder,
  HeartbeatMux,
  NODE_HEALTH,
  SharedHealth,
  addressLogger,
  isMultiAddress,
  settingsOfUnit,
  unitsOf,
  type AddressUnit,
  type NodeHealth,
  type ClockPort,
  type LoggerPort,
  type MetricsPort,
  type NodeSettings,
} from '../application/index.js';
import { PeerHeartbeatElection, QuorumElection, type FloatingAddress } from '../domain/index.js';
import {
  FrameAuthenticator,
  KeyedReleaseGuard,
  PingHostProbe,
  PrometheusMetrics,
  ProcessNotifier,
  SystemClock,
  TcpEchoPeerTransport,
  WinstonLogger,
  createPlatformAdapters,
  createEtcdQuorum,
  DisabledQuorum,
  findTool,
  preflight,
  type PlatformAdapters,
  type Toolkit,
} from '../infrastructure/index.js';

/** Replacement values by token, such as `{ [ADDRESS_TABLE_PORT]: new FakeAddressTable() }`. */
export type ContainerOverrides = Partial<Record<symbol, unknown>>;

export interface ContainerOptions {
  readonly settings: NodeSettings;
  readonly overrides?: ContainerOverrides;
  /** The platform's tools from preflight; looked up on first use of a platform adapter when absent. */
  readonly toolkit?: Toolkit;
  /** Heartbeat signing keys (the first signs, all verify); absent: unsigned heartbeats. */
  readonly auth?: { readonly secrets: readonly string[]; readonly maxClockSkewMs: number } | null;
}

const PLATFORM_ADAPTERS = Symbol.for('floatip.PlatformAdapters');
const TOOLKIT = Symbol.for('floatip.Toolkit');
/** The one transport's lanes, one per address, in a node of several (the list form). */
export const HEARTBEAT_MUX = Symbol.for('floatip.HeartbeatMux');
/** Every address's share of one HealthMonitor, in a node of several. */
export const SHARED_HEALTH = Symbol.for('floatip.SharedHealth');

/**
 * The addresses whose bind and first announcement are started ahead of time: each two waiting shells (1.6 MB each),
 * so only the first unit's first address, as in the single form. The others start their commands at the takeover,
 * about 10 ms later each; they all go at once.
 */
function preparedAddresses(settings: NodeSettings): FloatingAddress[] {
  return unitsOf(settings)
    .slice(0, PREPARED_UNITS)
    .map((u) => u.addresses[0]!);
}
const PREPARED_UNITS = 1;

/** A fresh container per daemon or test: never a global. */
export function createContainer(options: ContainerOptions): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  const overrides = options.overrides ?? {};

  const provide = <T>(token: symbol, make: () => T): void => {
    if (token in overrides) container.bind<T>(token).toConstantValue(overrides[token] as T);
    else container.bind<T>(token).toDynamicValue(make);
  };
  const platform = (): PlatformAdapters => container.get<PlatformAdapters>(PLATFORM_ADAPTERS);

  const multi = isMultiAddress(options.settings);
  container.bind<NodeSettings>(NODE_SETTINGS).toConstantValue(options.settings);
  container.bind<Toolkit>(TOOLKIT).toDynamicValue(() => options.toolkit ?? preflight());
  container
    .bind<PlatformAdapters>(PLATFORM_ADAPTERS)
    .toDynamicValue(() =>
      createPlatformAdapters(container.get<Toolkit>(TOOLKIT), container.get<LoggerPort>(LOGGER_PORT), preparedAddresses(options.settings), {
        guardDeadlines: Boolean(options.settings.quorum),
      }),
    );
  provide(CLOCK_PORT, () => new SystemClock());
  provide<LoggerPort>(LOGGER_PORT, () => new WinstonLogger());
  provide(ADDRESS_TABLE_PORT, () => platform().addressTable);
  provide(CONFLICT_PROBE_PORT, () => platform().conflictProbe);
  provide(ANNOUNCER_PORT, () => platform().announcer);
  // several addresses: a dead man's switch each, so releasing one never disarms another's
  provide(RELEASE_GUARD_PORT, () => (multi ? new KeyedReleaseGuard(() => platform().makeReleaseGuard()) : platform().releaseGuard));
  provide(HEALTH_PROBE_PORT, () => platform().healthProbe);
  // made when a backup first watches its master's host (echo.host_timeout_in_ms), shared by every address
  provide(HOST_PROBE_PORT, () => new PingHostProbe(() => container.get<Toolkit>(TOOLKIT).ping, findTool('sh', '/bin:/usr/bin') ?? '/bin/sh', container.get<ClockPort>(CLOCK_PORT), container.get<LoggerPort>(LOGGER_PORT)));
  // quorum mode: the heartbeats still rank the nodes and tell a dead daemon; the etcd key decides who may hold
  provide(ELECTION_STRATEGY_PORT, () => (options.settings.quorum ? new QuorumElection(new PeerHeartbeatElection()) : new PeerHeartbeatElection()));
  provide(QUORUM_PORT, () => (options.settings.quorum ? createEtcdQuorum(options.settings, container.get<ClockPort>(CLOCK_PORT), container.get<LoggerPort>(LOGGER_PORT)) : new DisabledQuorum()));
  provide(METRICS_PORT, () => new PrometheusMetrics({ perAddress: multi }));
  provide(NOTIFIER_PORT, () => new ProcessNotifier(container.get<LoggerPort>(LOGGER_PORT)));
  provide(PEER_TRANSPORT_PORT, () => {
    const auth = options.auth ? new FrameAuthenticator(options.auth.secrets.map((k) => Buffer.from(k, 'utf8')), options.auth.maxClockSkewMs) : null;
    return new TcpEchoPeerTransport(options.settings, container.get<LoggerPort>(LOGGER_PORT), auth, container.get<MetricsPort>(METRICS_PORT), container.get<ClockPort>(CLOCK_PORT));
  });

  container.bind<NodeHealth>(NODE_HEALTH).toDynamicValue(() => container.get(HealthMonitor));
  container.bind(SHARED_HEALTH).toDynamicValue(() => new SharedHealth(container.get(HealthMonitor), options.settings));
  container.bind(HEARTBEAT_MUX).toDynamicValue(() => new HeartbeatMux(container.get(PEER_TRANSPORT_PORT), container.get<ClockPort>(CLOCK_PORT)));

  container.bind(ElectMaster).toSelf();
  container.bind(BindAddress).toSelf();
  container.bind(ReleaseAddress).toSelf();
  container.bind(VerifyHolder).toSelf();
  container.bind(HealthMonitor).toSelf();
  container.bind(FailoverNode).toSelf();
  return container;
}

/**
 * One address's (or group's) node in a node of several: its own settings, machine, checks, log prefix and labelled
 * metrics, on the root's transport (a lane of the mux), clock, platform adapters and notifier.
 */
export function createUnitContainer(root: Container, settings: NodeSettings, unit: AddressUnit): Container {
  const child = new Container({ parent: root, defaultScope: 'Singleton' });
  const metrics = root.get<MetricsPort>(METRICS_PORT);
  child.bind<NodeSettings>(NODE_SETTINGS).toConstantValue(settingsOfUnit(settings, unit));
  child.bind(PEER_TRANSPORT_PORT).toConstantValue(root.get<HeartbeatMux>(HEARTBEAT_MUX).lane(unit.addresses[0]!.ip));
  child.bind<MetricsPort>(METRICS_PORT).toConstantValue(metrics.forAddress ? metrics.forAddress(unit.name) : metrics);
  child.bind<LoggerPort>(LOGGER_PORT).toConstantValue(addressLogger(root.get<LoggerPort>(LOGGER_PORT), unit.name));
  child.bind(BindAddress).toSelf();
  child.bind(ReleaseAddress).toSelf();
  child.bind(VerifyHolder).toSelf();
  child.bind<NodeHealth>(NODE_HEALTH).toConstantValue(root.get<SharedHealth>(SHARED_HEALTH).view());
  child.bind(FailoverNode).toSelf();
  return child;
}
