import type { Container } from 'inversify';
import { FailoverNode, LOGGER_PORT, type NodeSettings, type NodeStatus, type StateChange, type LoggerPort } from '../application/index.js';
import type { NodeState } from '../domain/index.js';
import { preflight, type ToolPaths } from '../infrastructure/index.js';
import { createContainer, type ContainerOverrides } from './container.js';

export interface FloatipServiceOptions {
  readonly settings: NodeSettings;
  readonly overrides?: ContainerOverrides;
  readonly logger?: LoggerPort;
  /** Check platform, privileges and tools before starting (default: true unless all adapters are overridden). */
  readonly preflight?: boolean;
}

/** The library's front door: one node of a floating-IP group, embedded in any Node service. */
export class FloatipService {
  readonly container: Container;
  private readonly node: FailoverNode;

  constructor(options: FloatipServiceOptions) {
    let tools: ToolPaths | undefined;
    if (options.preflight ?? true) tools = preflight();
    const overrides: ContainerOverrides = { ...options.overrides };
    if (options.logger) overrides[LOGGER_PORT] = options.logger;
    this.container = createContainer({ settings: options.settings, overrides, ...(tools ? { tools } : {}) });
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
