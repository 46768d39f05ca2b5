import 'reflect-metadata';
import { Container, type ServiceIdentifier } from 'inversify';
import {
  ADDRESS_TABLE_PORT,
  ANNOUNCER_PORT,
  BindAddress,
  CLOCK_PORT,
  CONFLICT_PROBE_PORT,
  ElectMaster,
  FailoverNode,
  LOGGER_PORT,
  NODE_SETTINGS,
  PEER_TRANSPORT_PORT,
  RELEASE_GUARD_PORT,
  ReleaseAddress,
  type LoggerPort,
  type NodeSettings,
} from '../application/index.js';
import {
  ArpingAnnouncer,
  IfconfigAddressTable,
  PingArpingConflictProbe,
  SystemClock,
  TcpEchoPeerTransport,
  WinstonLogger,
  XargsReleaseGuard,
  requireTool,
  type ToolPaths,
} from '../infrastructure/index.js';

/** Replacement values by token, such as `{ [ADDRESS_TABLE_PORT]: new FakeAddressTable() }`. */
export type ContainerOverrides = Partial<Record<symbol, unknown>>;

export interface ContainerOptions {
  readonly settings: NodeSettings;
  readonly overrides?: ContainerOverrides;
  /** Absolute tool paths from preflight; looked up on PATH when absent. */
  readonly tools?: Partial<ToolPaths>;
}

/** How long the takeover's conflict probe waits for anyone answering for the address. */
export const CONFLICT_PROBE_DEADLINE_MS = 250;

/** A fresh container per daemon or test: never a global. */
export function createContainer(options: ContainerOptions): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  const overrides = options.overrides ?? {};
  const tool = (name: keyof ToolPaths, pkg: string): string => options.tools?.[name] ?? requireTool(name, pkg);

  const provide = <T>(token: symbol, make: (get: <U>(id: ServiceIdentifier<U>) => U) => T): void => {
    if (token in overrides) container.bind<T>(token).toConstantValue(overrides[token] as T);
    else container.bind<T>(token).toDynamicValue((ctx) => make((id) => ctx.get(id)));
  };

  container.bind<NodeSettings>(NODE_SETTINGS).toConstantValue(options.settings);
  provide(CLOCK_PORT, () => new SystemClock());
  provide<LoggerPort>(LOGGER_PORT, () => new WinstonLogger());
  provide(ADDRESS_TABLE_PORT, () => new IfconfigAddressTable(tool('ifconfig', 'net-tools')));
  provide(
    CONFLICT_PROBE_PORT,
    () => new PingArpingConflictProbe(tool('ping', 'iputils-ping'), tool('arping', 'iputils-arping'), CONFLICT_PROBE_DEADLINE_MS),
  );
  provide(ANNOUNCER_PORT, () => new ArpingAnnouncer(tool('arping', 'iputils-arping')));
  provide(RELEASE_GUARD_PORT, () => new XargsReleaseGuard(tool('xargs', 'findutils'), tool('ifconfig', 'net-tools')));
  provide(PEER_TRANSPORT_PORT, (get) => new TcpEchoPeerTransport(get<NodeSettings>(NODE_SETTINGS), get<LoggerPort>(LOGGER_PORT)));

  container.bind(ElectMaster).toSelf();
  container.bind(BindAddress).toSelf();
  container.bind(ReleaseAddress).toSelf();
  container.bind(FailoverNode).toSelf();
  return container;
}
