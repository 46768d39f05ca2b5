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
  HealthMonitor,
  LOGGER_PORT,
  METRICS_PORT,
  NOTIFIER_PORT,
  NODE_SETTINGS,
  PEER_TRANSPORT_PORT,
  RELEASE_GUARD_PORT,
  ReleaseAddress,
  VerifyHolder,
  type ClockPort,
  type LoggerPort,
  type MetricsPort,
  type NodeSettings,
} from '../application/index.js';
import { PeerHeartbeatElection } from '../domain/index.js';
import {
  FrameAuthenticator,
  PrometheusMetrics,
  ProcessNotifier,
  SystemClock,
  TcpEchoPeerTransport,
  WinstonLogger,
  createPlatformAdapters,
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

/** A fresh container per daemon or test: never a global. */
export function createContainer(options: ContainerOptions): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  const overrides = options.overrides ?? {};

  const provide = <T>(token: symbol, make: () => T): void => {
    if (token in overrides) container.bind<T>(token).toConstantValue(overrides[token] as T);
    else container.bind<T>(token).toDynamicValue(make);
  };
  const platform = (): PlatformAdapters => container.get<PlatformAdapters>(PLATFORM_ADAPTERS);

  container.bind<NodeSettings>(NODE_SETTINGS).toConstantValue(options.settings);
  container
    .bind<PlatformAdapters>(PLATFORM_ADAPTERS)
    .toDynamicValue(() => createPlatformAdapters(options.toolkit ?? preflight(), container.get<LoggerPort>(LOGGER_PORT), options.settings.address));
  provide(CLOCK_PORT, () => new SystemClock());
  provide<LoggerPort>(LOGGER_PORT, () => new WinstonLogger());
  provide(ADDRESS_TABLE_PORT, () => platform().addressTable);
  provide(CONFLICT_PROBE_PORT, () => platform().conflictProbe);
  provide(ANNOUNCER_PORT, () => platform().announcer);
  provide(RELEASE_GUARD_PORT, () => platform().releaseGuard);
  provide(HEALTH_PROBE_PORT, () => platform().healthProbe);
  provide(ELECTION_STRATEGY_PORT, () => new PeerHeartbeatElection());
  provide(METRICS_PORT, () => new PrometheusMetrics());
  provide(NOTIFIER_PORT, () => new ProcessNotifier(container.get<LoggerPort>(LOGGER_PORT)));
  provide(PEER_TRANSPORT_PORT, () => {
    const auth = options.auth ? new FrameAuthenticator(options.auth.secrets.map((k) => Buffer.from(k, 'utf8')), options.auth.maxClockSkewMs) : null;
    return new TcpEchoPeerTransport(options.settings, container.get<LoggerPort>(LOGGER_PORT), auth, container.get<MetricsPort>(METRICS_PORT), container.get<ClockPort>(CLOCK_PORT));
  });

  container.bind(ElectMaster).toSelf();
  container.bind(BindAddress).toSelf();
  container.bind(ReleaseAddress).toSelf();
  container.bind(VerifyHolder).toSelf();
  container.bind(HealthMonitor).toSelf();
  container.bind(FailoverNode).toSelf();
  return container;
}
