import { WIRE_STATES, type WireState } from './node-state.js';
import { isIpAddress, parseIpAddress, type IpAddress } from './value-objects/ip-address.js';
import { Ipv4Address } from './value-objects/ipv4-address.js';
import { Priority } from './value-objects/priority.js';
import { isTerm } from './term.js';

export const PROTOCOL_VERSION = 1;
/** A frame of a node that runs several addresses: one entry per address, each its own election's state. */
export const BATCH_PROTOCOL_VERSION = 2;
/** A peer lists at most this many addresses in one frame; more is refused whole. */
export const MAX_BATCH_ENTRIES = 32;

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
  return { v: PROTOCOL_VERSION, id: msg.id.toString(), ...entryOf(msg) };
}

/** One address's part of a heartbeat: all of a v1 frame but the version and the sender, one entry of a v2 batch. */
function entryOf(msg: HeartbeatMessage): Omit<HeartbeatWire, 'v' | 'id'> {
  return { vip: msg.vip.toString(), pri: msg.priority, st: msg.state, term: msg.term, pre: msg.preempt, seq: msg.seq };
}

/** What a send takes: one address's heartbeat, or several addresses' for one frame. */
export function heartbeatsIn(content: HeartbeatMessage | readonly HeartbeatMessage[]): readonly HeartbeatMessage[] {
  return Array.isArray(content) ? (content as readonly HeartbeatMessage[]) : [content as HeartbeatMessage];
}

export type ParseResult = { ok: true; message: HeartbeatMessage } | { ok: false; reason: string };

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Network input: every field is checked, nothing is trusted. */
export function parseHeartbeat(data: unknown): ParseResult {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, reason: 'not an object' };
  const w = data as Record<string, unknown>;
  if (w['v'] !== PROTOCOL_VERSION) return { ok: false, reason: `unsupported protocol version ${JSON.stringify(w['v'])}` };
  return parseEntry(w, w['id']);
}

/** Several addresses' heartbeats from one node, in one frame; `seq` is the frame's own (what authentication orders). */
export interface HeartbeatBatch {
  readonly id: Ipv4Address;
  readonly seq: number;
  readonly messages: readonly HeartbeatMessage[];
}

export function toBatchWire(batch: HeartbeatBatch): Record<string, unknown> {
  return {
    v: BATCH_PROTOCOL_VERSION,
    id: batch.id.toString(),
    seq: batch.seq,
    a: batch.messages.map(entryOf),
  };
}

export type BatchParseResult = { ok: true; id: Ipv4Address; messages: readonly HeartbeatMessage[] } | { ok: false; reason: string };

/** Either protocol: a single address's heartbeat (v1) or a node's batch (v2); one bad entry refuses the frame. */
export function parseHeartbeats(data: unknown): BatchParseResult {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, reason: 'not an object' };
  const w = data as Record<string, unknown>;
  if (w['v'] === PROTOCOL_VERSION) {
    const one = parseHeartbeat(w);
    return one.ok ? { ok: true, id: one.message.id, messages: [one.message] } : one;
  }
  if (w['v'] !== BATCH_PROTOCOL_VERSION) return { ok: false, reason: `unsupported protocol version ${JSON.stringify(w['v'])}` };
  if (!Ipv4Address.isValid(w['id'])) return { ok: false, reason: 'bad id' };
  if (!isCount(w['seq'])) return { ok: false, reason: 'bad seq' };
  const entries = w['a'];
  if (!Array.isArray(entries) || entries.length === 0) return { ok: false, reason: 'no addresses' };
  if (entries.length > MAX_BATCH_ENTRIES) return { ok: false, reason: `${entries.length} addresses, more than ${MAX_BATCH_ENTRIES}` };
  const messages: HeartbeatMessage[] = [];
  for (const e of entries) {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return { ok: false, reason: 'an address entry is not an object' };
    const one = parseEntry(e as Record<string, unknown>, w['id']);
    if (!one.ok) return one;
    if (messages.some((m) => m.vip.equals(one.message.vip))) return { ok: false, reason: `${one.message.vip.toString()} listed twice` };
    messages.push(one.message);
  }
  return { ok: true, id: messages[0]!.id, messages };
}

function parseEntry(w: Record<string, unknown>, id: unknown): ParseResult {
  if (!Ipv4Address.isValid(id)) return { ok: false, reason: 'bad id' };
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
      id: Ipv4Address.create(id),
      vip: parseIpAddress(w['vip']),
      priority: pri,
      state: w['st'] as WireState,
      term: w['term'] as number,
      preempt: w['pre'],
      seq: w['seq'],
    },
  };
}
