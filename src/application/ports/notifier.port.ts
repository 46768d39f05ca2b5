import type { NodeState } from '../../domain/index.js';

export interface NotifyHooks {
  readonly onMaster?: readonly string[];
  readonly onBackup?: readonly string[];
  readonly onFault?: readonly string[];
  readonly onStop?: readonly string[];
  /** Receives every state; runs after the state's own hook. */
  readonly command?: readonly string[];
  readonly timeoutMs: number;
}

export interface NotifyEvent {
  readonly state: NodeState;
  readonly address: string;
  readonly interfaceName: string;
  readonly reason: string;
}

/** Runs the operator's hooks on state changes; fire and forget, never awaited by the state machine. */
export interface NotifierPort {
  notify(event: NotifyEvent, hooks: NotifyHooks): void;
}
export const NOTIFIER_PORT = Symbol.for('floatip.NotifierPort');
