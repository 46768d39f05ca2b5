import { FloatipError } from '../../domain/index.js';

/**
 * Reading etcd's JSON gateway without trusting it: int64 fields come as decimal strings and zero fields are omitted
 * (grpc-gateway v1 without EmitDefaults), keys and values are base64, and any field may be missing or of the wrong type.
 */

/** The most an answer (or one line of a watch stream) may take: etcd's answers for one key are far smaller. */
export const MAX_ANSWER_BYTES = 1 << 20;

/**
 * Why a call failed. connect/timeout/answer are faults of the endpoint (the next one is tried); status is the store's
 * own refusal, with its gRPC code and HTTP status; closed: the client was closed.
 */
export type EtcdErrorKind = 'connect' | 'timeout' | 'answer' | 'status' | 'closed';

export class EtcdError extends FloatipError {
  readonly code = 'FLOATIP_ETCD';
  constructor(
    readonly kind: EtcdErrorKind,
    message: string,
    readonly httpStatus: number | null = null,
    readonly grpcCode: number | null = null,
  ) {
    super(message);
  }
  /** gRPC NotFound (HTTP 404): an unknown lease. */
  get notFound(): boolean {
    return this.grpcCode === 5 || this.httpStatus === 404;
  }
  /** An expired or unknown auth token: authenticate again. */
  get badToken(): boolean {
    return this.kind === 'status' && (this.message.includes('invalid auth token') || (this.httpStatus === 401 && this.grpcCode !== 3));
  }
  /** The member cannot serve now (no leader, stopping, overloaded): another member may. */
  get unavailable(): boolean {
    return this.kind === 'status' && (this.grpcCode === 14 || this.httpStatus === 503 || this.httpStatus === 502 || this.httpStatus === 504);
  }
}

/** Printable ASCII only and at most `max` characters: what reaches a log line or a status from the network. */
export function sanitize(text: unknown, max = 200): string {
  const s = typeof text === 'string' ? text : typeof text === 'number' || typeof text === 'boolean' ? String(text) : '(not text)';
  const head = s.slice(0, max + 1).replace(/[^\x20-\x7e]/g, '?');
  return head.length > max ? `${head.slice(0, max)}...` : head;
}

const INT64 = /^-?\d{1,19}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An int64 field: absent is 0 (an omitted zero); a decimal string or a safe integer; anything else is hostile. */
export function int64(v: unknown, what: string): bigint {
  if (v === undefined || v === null) return 0n;
  let n: bigint | null = null;
  if (typeof v === 'string' && INT64.test(v)) n = BigInt(v);
  else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
  if (n === null || n < INT64_MIN || n > INT64_MAX) throw new EtcdError('answer', `${what} is not an int64 (${sanitize(JSON.stringify(v) ?? '', 40)})`);
  return n;
}

/** A lease id: a 63-bit number kept as its decimal string (a JS number would round it). */
export function leaseId(v: unknown, what = 'lease id'): string {
  const n = int64(v, what);
  if (n < 0n) throw new EtcdError('answer', `${what} is negative`);
  return n.toString();
}

export function isLeaseId(s: string): boolean {
  return /^\d{1,19}$/.test(s) && BigInt(s) <= INT64_MAX;
}

export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function unb64(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new EtcdError('answer', `${what} is not base64 text`);
  return Buffer.from(v, 'base64').toString('utf8');
}

export function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new EtcdError('answer', `${what} is not an object`);
  return v as Record<string, unknown>;
}

function list(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new EtcdError('answer', `${what} is not a list`);
  return v;
}

/** One key as the store holds it. lease '0': none. */
export interface EtcdKv {
  readonly key: string;
  readonly value: string;
  readonly lease: string;
  readonly createRevision: string;
  readonly modRevision: string;
}

export function parseKv(v: unknown): EtcdKv {
  const kv = record(v, 'kv');
  return {
    key: unb64(kv['key'], 'key'),
    value: unb64(kv['value'], 'value'),
    lease: leaseId(kv['lease'], 'kv lease'),
    createRevision: int64(kv['create_revision'], 'create_revision').toString(),
    modRevision: int64(kv['mod_revision'], 'mod_revision').toString(),
  };
}

/**
 * Where an answer stands in the store's history: the cluster that served it and its revision there. A cluster built
 * anew (a new cluster_id) counts from revision 1 again, so revisions compare only within one cluster.
 */
export interface StorePoint {
  readonly cluster: string;
  readonly revision: bigint;
}

/** The header of an answer: its cluster_id (a uint64, '' when omitted) and revision. */
export function headerPoint(body: Record<string, unknown>): StorePoint {
  const header = body['header'] === undefined ? {} : record(body['header'], 'header');
  const id = header['cluster_id'];
  if (id !== undefined && !(typeof id === 'string' && /^\d{1,20}$/.test(id))) {
    throw new EtcdError('answer', `header.cluster_id is not a uint64 (${sanitize(JSON.stringify(id) ?? '', 40)})`);
  }
  return { cluster: id ?? '', revision: int64(header['revision'], 'header.revision') };
}

/** Whether `a` is older than `b`: in the same cluster only (a point of another cluster is neither). */
export function isBefore(a: StorePoint, b: StorePoint): boolean {
  return a.cluster === b.cluster && a.revision < b.revision;
}

/** The first kv of a range answer, or null when there is none (kvs omitted). */
export function firstKv(rangeAnswer: Record<string, unknown>): EtcdKv | null {
  const kvs = list(rangeAnswer['kvs'], 'kvs');
  return kvs.length === 0 ? null : parseKv(kvs[0]);
}

export function responses(txnAnswer: Record<string, unknown>): unknown[] {
  return list(txnAnswer['responses'], 'responses');
}

/** A JSON text that must be one object. */
export function parseObject(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new EtcdError('answer', `${what}: not JSON (${sanitize(text, 60)})`);
  }
  return record(v, what);
}

/**
 * The error of a non-2xx answer: grpc-gateway v1 writes {error, code, message}, v2 {code, message}; a stream's
 * error is {"error": {grpc_code, http_code, message}}. Whatever it is, only a capped, printable message is kept.
 */
export function statusError(status: number, text: string, where: string): EtcdError {
  let code: number | null = null;
  let message = `HTTP ${status}`;
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null) {
      const b = body as Record<string, unknown>;
      const inner = typeof b['error'] === 'object' && b['error'] !== null ? (b['error'] as Record<string, unknown>) : b;
      const c = inner['code'] ?? inner['grpc_code'];
      if (typeof c === 'number' && Number.isInteger(c)) code = c;
      const m = inner['message'] ?? b['error'];
      if (typeof m === 'string' && m) message = `${message}: ${m}`;
    }
  } catch {
    if (text) message = `${message}: ${text}`;
  }
  return new EtcdError('status', `${where}: ${sanitize(message)}`, status, code);
}
