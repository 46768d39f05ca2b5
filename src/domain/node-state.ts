/**
 * INIT: listening for a live master after start. FAULT: unhealthy or isolated, will not hold the address.
 * STOPPING: announced to peers as leaving.
 */
export type NodeState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOPPING' | 'STOPPED';

export const WIRE_STATES = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOPPING'] as const;
export type WireState = (typeof WIRE_STATES)[number];

/** Why a state changed, in one word: a metric label and a hook's argument. */
export type TransitionCause =
  | 'start'
  | 'elected'
  | 'master-alive'
  | 'outranked'
  | 'timeout'
  | 'daemon-gone'
  | 'host-silent'
  /** quorum mode: this node's etcd key is gone or cannot be renewed in time */
  | 'quorum-lost'
  /** quorum mode: another node holds the etcd key */
  | 'quorum-held'
  | 'handover'
  | 'split-brain'
  | 'preempted'
  | 'conflict'
  | 'failed'
  | 'fault'
  | 'recovered'
  | 'stop';
