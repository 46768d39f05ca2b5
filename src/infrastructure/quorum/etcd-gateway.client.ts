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
   * The store was built anew, its revisions and maybe its leases started over: an answer came from another cluster
   * than the one before it, or a linearizable one from the same cluster at a lower revision than an earlier one (its
   * data wiped, and the same members formed it again with the same token).
   */
  readonly onNewStore?: (why: string) => void;
}

/** How many replaced clusters' ids are kept to refuse their late answers. */
const RETIRED_CLUSTERS = 8;

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
  /**
   * The cluster_id of the last answer that named one, and there the highest revision a linearizable answer had,
   * with when that answer came.
   */
  private cluster = '';
  private highest = { revision: -1n, at: -Infinity };
  /** Clusters another replaced: an answer from one (late, or an endpoint of the old cluster) is refused as wrong. */
  private readonly retired: string[] = [];

  constructor(private readonly options: EtcdClientOptions) {
    this.transport = new EtcdHttpTransport({ ...options, check: (body) => this.refuseRetired(body) });
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
    const { body, sentAt } = await this.transport.post(
      '/v3/kv/txn',
      {
        compare: [{ key: k, target: 'CREATE', result: 'EQUAL', create_revision: '0' }],
        success: [{ request_put: { key: k, value: b64(value), lease } }],
        failure: [{ request_range: { key: k } }],
      },
      timeoutMs,
    );
    const at = this.at(body, sentAt);
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
    const { body, sentAt } = await this.transport.post('/v3/kv/txn', { compare, success: [{ request_delete_range: { key: k } }] }, timeoutMs);
    return { deleted: body['succeeded'] === true, at: this.at(body, sentAt) };
  }

  async range(key: string, timeoutMs: number): Promise<RangeAnswer> {
    const { body, sentAt } = await this.transport.post('/v3/kv/range', { key: b64(key) }, timeoutMs);
    return { kv: firstKv(body), at: this.at(body, sentAt) };
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

  /**
   * The header's point, after telling a store built anew. `sentAt`: the answer is linearizable (a read or a txn)
   * and its request was sent then. In one store, such an answer sent after another came cannot have a lower
   * revision; answers to requests in flight together can come in any order, and a watch's or a lease call's lag.
   */
  private at(body: Record<string, unknown>, sentAt?: number): StorePoint {
    return this.seen(headerPoint(body), sentAt);
  }

  /** An answer of a cluster another replaced is refused (the transport then tries the next endpoint). */
  private refuseRetired(body: Record<string, unknown>): void {
    const result = body['result'];
    const holder = result !== null && typeof result === 'object' && !Array.isArray(result) ? (result as Record<string, unknown>) : body;
    if (holder['header'] === undefined) return;
    const { cluster } = headerPoint(holder);
    if (this.retired.includes(cluster)) throw new EtcdError('answer', `an answer from etcd cluster ${cluster}, which another has replaced`);
  }

  private seen(at: StorePoint, sentAt?: number): StorePoint {
    if (!at.cluster) return at;
    // a watch's (a post's was refused in the transport)
    if (this.retired.includes(at.cluster)) throw new EtcdError('answer', `an answer from etcd cluster ${at.cluster}, which another has replaced`);
    const now = this.options.now?.() ?? performance.now();
    if (at.cluster !== this.cluster) {
      const from = this.cluster;
      this.cluster = at.cluster;
      this.highest = sentAt === undefined ? { revision: -1n, at: -Infinity } : { revision: at.revision, at: now };
      if (!from) return at;
      this.retired.push(from);
      if (this.retired.length > RETIRED_CLUSTERS) this.retired.shift();
      this.options.onNewStore?.(`etcd cluster ${from} was replaced by ${at.cluster}`);
      return at;
    }
    if (sentAt === undefined) return at;
    const was = this.highest;
    if (sentAt > was.at && at.revision < was.revision) {
      this.highest = { revision: at.revision, at: now };
      this.options.onNewStore?.(`etcd cluster ${at.cluster} answered at revision ${at.revision}, after ${was.revision}: its data was wiped`);
    } else if (at.revision > was.revision) {
      this.highest = { revision: at.revision, at: now };
    }
    return at;
  }
}
