/** INIT: listening for a live master after start. STOPPING: announced to peers as leaving. */
export type NodeState = 'INIT' | 'BACKUP' | 'MASTER' | 'STOPPING' | 'STOPPED';

export const WIRE_STATES = ['INIT', 'BACKUP', 'MASTER', 'STOPPING'] as const;
export type WireState = (typeof WIRE_STATES)[number];
