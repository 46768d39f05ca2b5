import {
  EtcdError,
  b64,
  firstKv,
  headerPoint,
  int64,
  leaseId,
  record,
  responses,
  sanitize,
  statusError,
  type EtcdKv,
  type StorePoint,
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

/** `at`: the cluster and revision the answer was served at. */
export type TxnOutcome = { readonly won: true; readonly at: StorePoint } | { readonly won: false; readonly kv: EtcdKv | null; readonly at: StorePoint };

export interface RangeAnswer {
  readonly kv: EtcdKv | null;
  readonly at: StorePoint;
}

export interface EtcdClientOptions extends EtcdGatewayOptions {
  /**
   * An answer came from another cluster than the one before it: the store was built anew (or the endpoints name
   * two clusters). Its revisions and leases start over.
   */
  readonly onNewCluster?: (from: string, to: string) => void;
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
  txnDeleteIfLease(key: string, lease: string, timeoutMs: number, createRevision?: string): Promise<{ readonly deleted: boolean; readonly at: StorePoint }>;
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
  /** The cluster_id of the last answer that named one. */
  private cluster = '';

  constructor(private readonly options: EtcdClientOptions) {
    this.transport = new EtcdHttpTransport(options);
  }

  get endpoint(): string {
    return this.transport.endpoint;
  }

  async leaseGrant(ttlS: number, timeoutMs: number): Promise<LeaseAnswer> {
    const { body, sentAt } = await this.transport.post('/v3/lease/grant', { TTL: ttlS }, timeoutMs);
    this.at(body);
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
    this.at(result);
    if (result['ID'] !== undefined && leaseId(result['ID']) !== id) throw new EtcdError('answer', 'lease keepalive: the answer is for another lease');
    const ttl = int64(result['TTL'], 'TTL');
    // TTL omitted (0): the lease is unknown or expired
    return { id, ttlS: ttl > 0n ? Number(ttl) : 0, sentAt };
  }

  async leaseRevoke(id: string, timeoutMs: number): Promise<boolean> {
    try {
      this.at((await this.transport.post('/v3/lease/revoke', { ID: id }, timeoutMs)).body);
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
    const at = this.at(body);
    if (body['succeeded'] === true) return { won: true, at };
    const first = responses(body)[0];
    const range = first === undefined ? {} : record(record(first, 'txn response')['response_range'] ?? {}, 'response_range');
    return { won: false, kv: firstKv(range), at };
  }

  async txnDeleteIfLease(key: string, lease: string, timeoutMs: number, createRevision?: string): Promise<{ deleted: boolean; at: StorePoint }> {
    const k = b64(key);
    const compare = [
      { key: k, target: 'LEASE', result: 'EQUAL', lease },
      ...(createRevision === undefined ? [] : [{ key: k, target: 'CREATE', result: 'EQUAL', create_revision: createRevision }]),
    ];
    const { body } = await this.transport.post('/v3/kv/txn', { compare, success: [{ request_delete_range: { key: k } }] }, timeoutMs);
    return { deleted: body['succeeded'] === true, at: this.at(body) };
  }

  async range(key: string, timeoutMs: number): Promise<RangeAnswer> {
    const { body } = await this.transport.post('/v3/kv/range', { key: b64(key) }, timeoutMs);
    return { kv: firstKv(body), at: this.at(body) };
  }

  watch(key: string, startRevision: string, callbacks: WatchCallbacks, createTimeoutMs: number): EtcdWatchHandle {
    let stream: StreamHandle | null = null;
    const decoder = new WatchDecoder(
      {
        onCreated: (at) => {
          stream?.established();
          callbacks.onCreated(this.seen(at));
        },
        onEvents: (events, at) => callbacks.onEvents(events, this.seen(at)),
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

  /** The header's point, after telling a change of cluster. */
  private at(body: Record<string, unknown>): StorePoint {
    return this.seen(headerPoint(body));
  }

  private seen(at: StorePoint): StorePoint {
    if (at.cluster && at.cluster !== this.cluster) {
      const from = this.cluster;
      this.cluster = at.cluster;
      if (from) this.options.onNewCluster?.(from, at.cluster);
    }
    return at;
  }
}
