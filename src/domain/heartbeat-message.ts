import { WIRE_STATES, type WireState } from './node-state.js';
import { isIpAddress, parseIpAddress, type IpAddress } from './value-objects/ip-address.js';
import { Ipv4Address } from './value-objects/ipv4-address.js';
import { Priority } from './value-objects/priority.js';
import { isTerm } from './term.js';

export const PROTOCOL_VERSION = 1;

/** What every node says about itself each interval, over TCP and multicast alike. */
export interface HeartbeatMessage {
  readonly id: Ipv4Address;
  readonly vip: IpAddress;
  readonly priority: number;
  readonly state: WireState;
  readonly term: number;
  readonly preempt: boolean;
  readonly seq: number;
}

export interface HeartbeatWire {
  v: number;
  id: string;
  vip: string;
  pri: number;
  st: WireState;
  term: number;
  pre: boolean;
  seq: number;
}

export function toWire(msg: HeartbeatMessage): HeartbeatWire {
  return {
    v: PROTOCOL_VERSION,
    id: msg.id.toString(),
    vip: msg.vip.toString(),
    pri: msg.priority,
    st: msg.state,
    term: msg.term,
    pre: msg.preempt,
    seq: msg.seq,
  };
}

export type ParseResult = { ok: true; message: HeartbeatMessage } | { ok: false; reason: string };

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Network input: every field is checked, nothing is trusted. */
export function parseHeartbeat(data: unknown): ParseResult {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, reason: 'not an object' };
  const w = data as Record<string, unknown>;
  if (w['v'] !== PROTOCOL_VERSION) return { ok: false, reason: `unsupported protocol version ${JSON.stringify(w['v'])}` };
  if (!Ipv4Address.isValid(w['id'])) return { ok: false, reason: 'bad id' };
  if (!isIpAddress(w['vip'])) return { ok: false, reason: 'bad vip' };
  const pri = w['pri'];
  if (typeof pri !== 'number' || !Number.isInteger(pri) || pri < Priority.UNRANKED || pri > Priority.MAX) return { ok: false, reason: 'bad priority' };
  if (!WIRE_STATES.includes(w['st'] as WireState)) return { ok: false, reason: 'bad state' };
  if (!isTerm(w['term'])) return { ok: false, reason: 'bad term' };
  if (!isCount(w['seq'])) return { ok: false, reason: 'bad seq' };
  if (typeof w['pre'] !== 'boolean') return { ok: false, reason: 'bad preempt flag' };
  return {
    ok: true,
    message: {
      id: Ipv4Address.create(w['id']),
      vip: parseIpAddress(w['vip']),
      priority: pri,
      state: w['st'] as WireState,
      term: w['term'] as number,
      preempt: w['pre'],
      seq: w['seq'],
    },
  };
}
