import {
  EtcdError,
  b64,
  firstKv,
  headerRevision,
  int64,
  leaseId,
  record,
  responses,
  sanitize,
  statusError,
  type EtcdKv,
} from './etcd-json.js';
import { EtcdHttpTransport, type EtcdGatewayOptions, type StreamHandle } from './etcd-http.transport.js';
import { WatchDecoder, type WatchCallbacks } from './etcd-watch.stream.js';

export type { EtcdGatewayOptions, EtcdTlsMaterial } from './etcd-http.transport.js';

/** A lease grant or renewal, with when the request that got the answer was sent. ttlS 0: the lease is gone. */
export interface LeaseAnswer {
  readonly id: string;
  readonly ttlS: number;
  readonly sentAt: number;
}

export type TxnOutcome = { readonly won: true; readonly revision: string } | { readonly won: false; readonly kv: EtcdKv | null; readonly revision: string };

export interface RangeAnswer {
  readonly kv: EtcdKv | null;
  readonly revision: string;
}

export interface EtcdWatchHandle {
  /** Ends the watch; its onEnd is not called. */
  close(): void;
}

/** The calls EtcdQuorum makes (a seam for tests). Every call takes its deadline in ms. */
export interface EtcdGateway {
  /** The endpoint the next call tries first, for log lines. */
  readonly endpoint: string;
  leaseGrant(ttlS: number, timeoutMs: number): Promise<LeaseAnswer>;
  leaseKeepAliveOnce(id: string, timeoutMs: number): Promise<LeaseAnswer>;
  /** false: the store did not know the lease (already gone). */
  leaseRevoke(id: string, timeoutMs: number): Promise<boolean>;
  txnCreateIfAbsent(key: string, value: string, lease: string, timeoutMs: number): Promise<TxnOutcome>;
  /** createRevision: only that incarnation of the key (a delete applied late must not remove a newer one) */
  txnDeleteIfLease(key: string, lease: string, timeoutMs: number, createRevision?: string): Promise<{ readonly deleted: boolean; readonly revision: string }>;
  range(key: string, timeoutMs: number): Promise<RangeAnswer>;
  /** Watches `key` from `startRevision` until closed or onEnd; `createTimeoutMs`: the deadline to be set up. */
  watch(key: string, startRevision: string, callbacks: WatchCallbacks, createTimeoutMs: number): EtcdWatchHandle;
  /** Aborts every call and watch in flight and drops idle connections. The client stays usable. */
  close(): void;
}

/**
 * etcd v3's JSON gateway (/v3/…, etcd ≥ 3.4) over node:http(s): one POST per call, so one keep-alive is one round
 * trip and its send time is known. No retries but the next endpoint, within the call's deadline.
 */
export class EtcdGatewayClient implements EtcdGateway {
  private readonly transport: EtcdHttpTransport;

  constructor(options: EtcdGatewayOptions) {
    this.transport = new EtcdHttpTransport(options);
  }

  get endpoint(): string {
    return this.transport.endpoint;
  }

  async leaseGrant(ttlS: number, timeoutMs: number): Promise<LeaseAnswer> {
    const { body, sentAt } = await this.transport.post('/v3/lease/grant', { TTL: ttlS }, timeoutMs);
    if (typeof body['error'] === 'string' && body['error']) throw new EtcdError('status', `lease grant: ${sanitize(body['error'])}`);
    const ttl = int64(body['TTL'], 'TTL');
    const id = leaseId(body['ID']);
    if (ttl <= 0n || id === '0') throw new EtcdError('answer', 'lease grant: no lease id or TTL in the answer');
    return { id, ttlS: Number(ttl), sentAt };
  }

  async leaseKeepAliveOnce(id: string, timeoutMs: number): Promise<LeaseAnswer> {
    // a bidi stream behind the gateway: one object in, one {"result": …} out, then the answer ends
    const { body, sentAt } = await this.transport.post('/v3/lease/keepalive', { ID: id }, timeoutMs);
    if (body['error'] !== undefined) throw statusError(200, JSON.stringify(body), 'lease keepalive');
    const result = record(body['result'], 'keepalive result');
    if (result['ID'] !== undefined && leaseId(result['ID']) !== id) throw new EtcdError('answer', 'lease keepalive: the answer is for another lease');
    const ttl = int64(result['TTL'], 'TTL');
    // TTL omitted (0): the lease is unknown or expired
    return { id, ttlS: ttl > 0n ? Number(ttl) : 0, sentAt };
  }

  async leaseRevoke(id: string, timeoutMs: number): Promise<boolean> {
    try {
      await this.transport.post('/v3/lease/revoke', { ID: id }, timeoutMs);
      return true;
    } catch (e) {
      if (e instanceof EtcdError && e.notFound) return false;
      throw e;
    }
  }

  async txnCreateIfAbsent(key: string, value: string, lease: string, timeoutMs: number): Promise<TxnOutcome> {
    const k = b64(key);
    const { body } = await this.transport.post(
      '/v3/kv/txn',
      {
        compare: [{ key: k, target: 'CREATE', result: 'EQUAL', create_revision: '0' }],
        success: [{ request_put: { key: k, value: b64(value), lease } }],
        failure: [{ request_range: { key: k } }],
      },
      timeoutMs,
    );
    const revision = headerRevision(body);
    if (body['succeeded'] === true) return { won: true, revision };
    const first = responses(body)[0];
    const range = first === undefined ? {} : record(record(first, 'txn response')['response_range'] ?? {}, 'response_range');
    return { won: false, kv: firstKv(range), revision };
  }

  async txnDeleteIfLease(key: string, lease: string, timeoutMs: number, createRevision?: string): Promise<{ deleted: boolean; revision: string }> {
    const k = b64(key);
    const compare = [
      { key: k, target: 'LEASE', result: 'EQUAL', lease },
      ...(createRevision === undefined ? [] : [{ key: k, target: 'CREATE', result: 'EQUAL', create_revision: createRevision }]),
    ];
    const { body } = await this.transport.post('/v3/kv/txn', { compare, success: [{ request_delete_range: { key: k } }] }, timeoutMs);
    return { deleted: body['succeeded'] === true, revision: headerRevision(body) };
  }

  async range(key: string, timeoutMs: number): Promise<RangeAnswer> {
    const { body } = await this.transport.post('/v3/kv/range', { key: b64(key) }, timeoutMs);
    return { kv: firstKv(body), revision: headerRevision(body) };
  }

  watch(key: string, startRevision: string, callbacks: WatchCallbacks, createTimeoutMs: number): EtcdWatchHandle {
    let stream: StreamHandle | null = null;
    const decoder = new WatchDecoder(
      {
        onCreated: (revision) => {
          stream?.established();
          callbacks.onCreated(revision);
        },
        onEvents: (events, revision) => callbacks.onEvents(events, revision),
        onEnd: (why, resync) => {
          stream?.close();
          callbacks.onEnd(why, resync);
        },
      },
      this.transport.maxBytes,
    );
    const body = { create_request: { key: b64(key), start_revision: startRevision, progress_notify: true } };
    stream = this.transport.stream('/v3/watch', body, createTimeoutMs, { data: (chunk) => decoder.feed(chunk), end: (why) => decoder.end(why, false) });
    return {
      close: () => {
        decoder.silence();
        stream?.close();
      },
    };
  }

  close(): void {
    this.transport.close();
  }
}
