import { EtcdError, headerPoint, int64, parseKv, parseObject, record, sanitize, statusError, type EtcdKv, type StorePoint } from './etcd-json.js';

/** One change of the watched key. A DELETE's kv carries the key and the deletion's mod_revision only. */
export interface WatchEvent {
  readonly type: 'put' | 'delete';
  readonly kv: EtcdKv;
}

export interface WatchCallbacks {
  /** The store set the watch up; at: its header's cluster and revision. */
  onCreated(at: StorePoint): void;
  /** Changes, in order; at: the header's, its revision at least every event's mod_revision. */
  onEvents(events: readonly WatchEvent[], at: StorePoint): void;
  /**
   * The watch is over (it is never called after the caller's own close). resync: the store said the history it
   * would replay is gone (compacted) or it cancelled the watch: read the key again before watching anew.
   */
  onEnd(why: string, resync: boolean): void;
}

/** What one line of the stream says. */
export type WatchMessage =
  | { readonly kind: 'created'; readonly at: StorePoint }
  | { readonly kind: 'events'; readonly events: readonly WatchEvent[]; readonly at: StorePoint }
  | { readonly kind: 'end'; readonly why: string; readonly resync: boolean };

/**
 * Decodes one line of POST /v3/watch: grpc-gateway wraps each WatchResponse as {"result": …} and a failure as
 * {"error": …}. A PUT event has no `type` (0 is omitted); a progress notification is an empty events list.
 */
export function decodeWatchLine(line: string): WatchMessage {
  const msg = parseObject(line, 'watch answer');
  if (msg['error'] !== undefined) return { kind: 'end', why: statusError(200, line, 'watch').message, resync: false };
  const result = record(msg['result'], 'watch result');
  const at = headerPoint(result);
  const compacted = int64(result['compact_revision'], 'compact_revision');
  if (compacted > 0n) return { kind: 'end', why: `the store compacted its history up to revision ${compacted}`, resync: true };
  if (result['canceled'] === true) {
    return { kind: 'end', why: `the store cancelled the watch: ${sanitize(result['cancel_reason'] ?? 'no reason given')}`, resync: true };
  }
  if (result['created'] === true) return { kind: 'created', at };
  const raw = result['events'] ?? [];
  if (!Array.isArray(raw)) throw new EtcdError('answer', 'watch events is not a list');
  const events = raw.map((e): WatchEvent => {
    const ev = record(e, 'watch event');
    const type = ev['type'];
    if (type !== undefined && type !== 'PUT' && type !== 'DELETE' && type !== 0 && type !== 1) {
      throw new EtcdError('answer', `watch event type ${sanitize(JSON.stringify(type) ?? '', 20)}`);
    }
    return { type: type === 'DELETE' || type === 1 ? 'delete' : 'put', kv: parseKv(ev['kv']) };
  });
  return { kind: 'events', events, at };
}

/**
 * Splits a byte stream into lines of at most `maxBytes` each: a hostile member cannot make us buffer an endless
 * line. Bytes are kept until a newline, so a UTF-8 character split between chunks is decoded whole.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The complete lines in `chunk` (with what came before it); throws once a line exceeds the limit. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.add(chunk.subarray(start, nl));
      const line = Buffer.concat(this.pending).toString('utf8').trim();
      this.pending = [];
      this.pendingBytes = 0;
      if (line) lines.push(line);
      start = nl + 1;
    }
    this.add(chunk.subarray(start));
    return lines;
  }

  private add(part: Buffer): void {
    if (part.length === 0) return;
    this.pendingBytes += part.length;
    if (this.pendingBytes > this.maxBytes) throw new EtcdError('answer', `a watch line exceeds ${this.maxBytes} bytes`);
    this.pending.push(part);
  }
}

/** Feeds a watch stream's bytes to the callbacks; returns false once the stream should end (it has called onEnd). */
export class WatchDecoder {
  private readonly lines: LineSplitter;
  private ended = false;

  constructor(
    private readonly callbacks: WatchCallbacks,
    maxLineBytes: number,
  ) {
    this.lines = new LineSplitter(maxLineBytes);
  }

  get done(): boolean {
    return this.ended;
  }

  feed(chunk: Buffer): boolean {
    if (this.ended) return false;
    try {
      for (const line of this.lines.push(chunk)) {
        const m = decodeWatchLine(line);
        if (m.kind === 'end') return this.end(m.why, m.resync);
        if (m.kind === 'created') this.callbacks.onCreated(m.at);
        else if (m.events.length > 0) this.callbacks.onEvents(m.events, m.at);
        if (this.ended) return false;
      }
    } catch (e) {
      // a line we cannot read may have been an event we would miss: start over from a fresh read
      return this.end(e instanceof EtcdError ? e.message : sanitize(String(e)), true);
    }
    return true;
  }

  /** Ends the stream once: later calls (a close after an error) are ignored. */
  end(why: string, resync: boolean): false {
    if (!this.ended) {
      this.ended = true;
      this.callbacks.onEnd(why, resync);
    }
    return false;
  }

  /** The caller closed the watch: no onEnd. */
  silence(): void {
    this.ended = true;
  }
}
