import 'reflect-metadata';

export * from './domain/index.js';
export * from './application/index.js';
export {
  ConfigError,
  PreconditionError,
  PortBusyError,
  CommandFailedError,
  YamlConfigLoader,
  OsInterfaceInventory,
  WinstonLogger,
  type LoadedConfig,
} from './infrastructure/index.js';
export * from './interfaces/container.js';
export * from './interfaces/floatip.service.js';
