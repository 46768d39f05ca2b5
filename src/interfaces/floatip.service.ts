import type { Container } from 'inversify';
import { FailoverNode, LOGGER_PORT, type NodeSettings, type NodeStatus, type StateChange, type LoggerPort } from '../application/index.js';
import type { NodeState } from '../domain/index.js';
import { preflight, type AddressToolChoice, type Toolkit } from '../infrastructure/index.js';
import { createContainer, type ContainerOverrides } from './container.js';

export interface FloatipServiceOptions {
  readonly settings: NodeSettings;
  readonly overrides?: ContainerOverrides;
  readonly logger?: LoggerPort;
  /** Check platform, privileges and tools in the constructor (default true); false leaves that to first use. */
  readonly preflight?: boolean;
  /** Which program binds the address on Linux (default auto: ifconfig when on PATH, else ip). */
  readonly addressTool?: AddressToolChoice;
}

/** The library's front door: one node of a floating-IP group, embedded in any Node service. */
export class FloatipService {
  readonly container: Container;
  /** The platform tools found by the preflight, when it ran. */
  readonly toolkit: Toolkit | undefined;
  private readonly node: FailoverNode;

  constructor(options: FloatipServiceOptions) {
    let toolkit: Toolkit | undefined;
    if (options.preflight ?? true) toolkit = preflight({ addressTool: options.addressTool ?? 'auto' });
    this.toolkit = toolkit;
    const overrides: ContainerOverrides = { ...options.overrides };
    if (options.logger) overrides[LOGGER_PORT] = options.logger;
    this.container = createContainer({ settings: options.settings, overrides, ...(toolkit ? { toolkit } : {}) });
    this.node = this.container.get(FailoverNode);
  }

  get state(): NodeState {
    return this.node.state;
  }

  status(): NodeStatus {
    return this.node.status();
  }

  /** Subscribe to state changes; returns the unsubscribe function. */
  onStateChange(listener: (change: StateChange) => void): () => void {
    return this.node.onStateChange(listener);
  }

  start(): Promise<void> {
    return this.node.start();
  }

  /** A master hands the address over to the best backup, then releases it. */
  stop(reason?: string): Promise<void> {
    return this.node.stop(reason);
  }
}
