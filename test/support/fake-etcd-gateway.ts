import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FakeEtcdEndpoint, writeEndless, writeError, writeJson } from './fake-etcd-endpoint.js';

export type { EndpointFault } from './fake-etcd-endpoint.js';
export { FakeEtcdEndpoint } from './fake-etcd-endpoint.js';

interface Lease {
  readonly id: string;
  ttl: number;
  timer: NodeJS.Timeout | null;
}

interface StoredKv {
  readonly key: string;
  value: string;
  lease: string;
  readonly create: number;
  mod: number;
  version: number;
}

interface Change {
  readonly revision: number;
  readonly key: string;
  readonly event: Record<string, unknown>;
}

export interface FakeEtcdCall {
  readonly path: string;
  readonly body: Record<string, unknown>;
  /** The test clock when the request arrived. */
  readonly at: number;
  readonly endpoint: number;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : '', 'base64').toString('utf8');
const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '0');

/**
 * An in-process stand-in for etcd's JSON gateway (/v3/…), as 3.4 answers: int64 as strings, zero fields omitted,
 * keepalive as one {"result"} line, watch as an NDJSON stream. Leases expire by real time unless timeExpiry is off,
 * and the test can expire one at any time; keys under a lease go with it. Several endpoints share one store.
 */
export class FakeEtcdGateway {
  readonly endpoints: FakeEtcdEndpoint[] = [];
  readonly calls: FakeEtcdCall[] = [];
  revision = 1;
  /** The cluster_id of every header; rebuild() makes a new one. */
  clusterId = '14841639068965178418';
  /** Keepalive answers omit TTL even for a live lease (as for a dead one). */
  omitTtl = false;
  /** Watches are set up but never told of a change (a watch on a connection that died silently). */
  deafWatches = false;
  /** The TTL granted whatever was asked (etcd raises a TTL to its minimum). */
  grantTtl: number | null = null;
  /** Leases end by themselves after their TTL without a keepalive. */
  timeExpiry = true;
  /** Answers to these paths wait this long (ms) before they are served. */
  readonly delays = new Map<string, number>();
  /** Answers to these paths are served at once but sent this long (ms) after. */
  readonly lateAnswers = new Map<string, number>();
  /** With users, every call but authenticate needs a token. */
  readonly users = new Map<string, string>();
  private readonly tokens = new Set<string>();
  private readonly leases = new Map<string, Lease>();
  private readonly kvs = new Map<string, StoredKv>();
  private readonly history: Change[] = [];
  private readonly watches = new Set<{ key: string; res: ServerResponse }>();

  private constructor(private readonly now: () => number) {}

  static async start(options: { endpoints?: number; now?: () => number } = {}): Promise<FakeEtcdGateway> {
    const gw = new FakeEtcdGateway(options.now ?? (() => performance.now()));
    for (let i = 0; i < (options.endpoints ?? 1); i++) await gw.addEndpoint();
    return gw;
  }

  get urls(): string[] {
    return this.endpoints.map((e) => e.url);
  }

  async addEndpoint(): Promise<FakeEtcdEndpoint> {
    const index = this.endpoints.length;
    const server = createServer((req, res) => void this.handle(index, req, res));
    const ep = new FakeEtcdEndpoint(server);
    server.on('connection', (s: Socket) => {
      ep.sockets.add(s);
      s.on('close', () => ep.sockets.delete(s));
      if (ep.fault === 'reset' && ep.faultPaths.length === 0) s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ep.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.endpoints.push(ep);
    return ep;
  }

  /** Another node's lease. */
  grantLease(ttl = 60): string {
    return this.newLease(ttl).id;
  }

  hasLease(id: string): boolean {
    return this.leases.has(id);
  }

  get leaseIds(): string[] {
    return [...this.leases.keys()];
  }

  /** As the leader does when a lease runs out, or on revoke: the lease and its keys are gone. */
  expire(id: string): void {
    const lease = this.leases.get(id);
    if (!lease) return;
    if (lease.timer) clearTimeout(lease.timer);
    this.leases.delete(id);
    for (const kv of [...this.kvs.values()]) if (kv.lease === id) this.remove(kv.key);
  }

  /**
   * As an operator who builds the cluster anew: revision 1 again, no lease, key or watch, and a new cluster_id
   * unless `sameId` (the same members and token formed it again on wiped data dirs).
   */
  rebuild(sameId = false): void {
    for (const l of this.leases.values()) if (l.timer) clearTimeout(l.timer);
    this.leases.clear();
    this.kvs.clear();
    this.history.length = 0;
    for (const w of this.watches) w.res.destroy();
    this.watches.clear();
    this.revision = 1;
    if (!sameId) this.clusterId = (BigInt(this.clusterId) + 1n).toString();
  }

  put(key: string, value: string, lease = '0'): void {
    const rev = ++this.revision;
    const old = this.kvs.get(key);
    const kv: StoredKv = old ? { ...old, value, lease, mod: rev, version: old.version + 1 } : { key, value, lease, create: rev, mod: rev, version: 1 };
    this.kvs.set(key, kv);
    this.publish({ revision: rev, key, event: { kv: this.kvJson(kv) } });
  }

  get(key: string): { value: string; lease: string } | undefined {
    return this.kvs.get(key);
  }

  count(path: string): number {
    return this.calls.filter((c) => c.path === path).length;
  }

  invalidateTokens(): void {
    this.tokens.clear();
  }

  async close(): Promise<void> {
    for (const l of this.leases.values()) if (l.timer) clearTimeout(l.timer);
    for (const ep of this.endpoints) {
      for (const s of ep.sockets) s.destroy();
      await new Promise<void>((resolve) => ep.server.close(() => resolve()));
    }
  }

  private newLease(ttl: number): Lease {
    const id = ((BigInt(`0x${randomBytes(8).toString('hex')}`) & ((1n << 62n) - 1n)) | (1n << 62n)).toString();
    const lease: Lease = { id, ttl, timer: null };
    this.leases.set(id, lease);
    this.arm(lease);
    return lease;
  }

  private arm(lease: Lease): void {
    if (lease.timer) clearTimeout(lease.timer);
    lease.timer = this.timeExpiry ? setTimeout(() => this.expire(lease.id), lease.ttl * 1000) : null;
    lease.timer?.unref();
  }

  private remove(key: string): void {
    if (!this.kvs.delete(key)) return;
    const rev = ++this.revision;
    this.publish({ revision: rev, key, event: { type: 'DELETE', kv: { key: b64(key), mod_revision: String(rev) } } });
  }

  private publish(change: Change): void {
    this.history.push(change);
    if (this.deafWatches) return;
    for (const w of this.watches) if (w.key === change.key) w.res.write(`${JSON.stringify({ result: { header: this.header(), events: [change.event] } })}\n`);
  }

  private header(): Record<string, string> {
    return { cluster_id: this.clusterId, member_id: '10276657743932975437', revision: String(this.revision), raft_term: '2' };
  }

  private kvJson(kv: StoredKv): Record<string, unknown> {
    const j: Record<string, unknown> = { key: b64(kv.key), create_revision: String(kv.create), mod_revision: String(kv.mod), version: String(kv.version), value: b64(kv.value) };
    if (kv.lease !== '0') j['lease'] = kv.lease;
    return j;
  }

  private async handle(index: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ep = this.endpoints[index]!;
    const path = req.url ?? '';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return writeError(res, 400, 3, 'bad JSON');
    }
    this.calls.push({ path, body, at: this.now(), endpoint: index });
    const fault = ep.faulty(path);
    if (fault === 'reset') return void req.socket.destroy();
    if (fault === 'hang') return;
    if (fault === 'garbage') return void res.end('<html>this is not etcd</html>');
    if (fault === 'unavailable') return writeError(res, 503, 14, 'etcdserver: no leader');
    if (fault === 'huge') return writeEndless(res);
    const delay = this.delays.get(path);
    if (delay) await new Promise((r) => setTimeout(r, delay));
    const late = this.lateAnswers.get(path);
    if (late) {
      const end = res.end.bind(res) as (body: string) => void;
      res.end = ((body: string) => {
        setTimeout(() => end(body), late);
        return res;
      }) as typeof res.end;
    }
    if (this.users.size > 0 && path !== '/v3/auth/authenticate' && !this.tokens.has(req.headers.authorization ?? '')) {
      return writeError(res, 401, 16, 'etcdserver: invalid auth token');
    }
    this.route(path, body, res);
  }

  private route(path: string, body: Record<string, unknown>, res: ServerResponse): void {
    const h = this.header();
    switch (path) {
      case '/v3/auth/authenticate': {
        if (this.users.get(str(body['name'])) !== body['password']) return writeError(res, 400, 3, 'etcdserver: authentication failed, invalid user ID or password');
        const token = `tok.${randomBytes(6).toString('hex')}`;
        this.tokens.add(token);
        return writeJson(res, { header: h, token });
      }
      case '/v3/lease/grant': {
        const lease = this.newLease(this.grantTtl ?? Number(body['TTL']));
        return writeJson(res, { header: h, ID: lease.id, TTL: String(lease.ttl) });
      }
      case '/v3/lease/keepalive': {
        const id = str(body['ID']);
        const lease = this.leases.get(id);
        if (lease) this.arm(lease);
        const result: Record<string, unknown> = { header: h, ID: id };
        if (lease && !this.omitTtl) result['TTL'] = String(lease.ttl);
        return writeJson(res, { result });
      }
      case '/v3/lease/revoke': {
        const id = str(body['ID']);
        if (!this.leases.has(id)) return writeError(res, 404, 5, 'etcdserver: requested lease not found');
        this.expire(id);
        return writeJson(res, { header: this.header() });
      }
      case '/v3/kv/range':
        return writeJson(res, this.range(unb64(body['key'])));
      case '/v3/kv/txn':
        return this.txn(body, res);
      case '/v3/watch':
        return this.watch(body, res);
      default:
        return writeError(res, 404, 12, 'Not Found');
    }
  }

  private range(key: string): Record<string, unknown> {
    const kv = this.kvs.get(key);
    return kv ? { header: this.header(), kvs: [this.kvJson(kv)], count: '1' } : { header: this.header() };
  }

  private txn(body: Record<string, unknown>, res: ServerResponse): void {
    const compares = (body['compare'] ?? []) as Record<string, unknown>[];
    const ok = compares.every((c) => {
      const kv = this.kvs.get(unb64(c['key']));
      if (c['result'] !== 'EQUAL') return false;
      if (c['target'] === 'CREATE') return String(kv?.create ?? 0) === str(c['create_revision']);
      if (c['target'] === 'LEASE') return (kv?.lease ?? '0') === str(c['lease']);
      return false;
    });
    const ops = (body[ok ? 'success' : 'failure'] ?? []) as Record<string, Record<string, unknown>>[];
    for (const op of ops) {
      const lease = op['request_put']?.['lease'];
      if (lease !== undefined && str(lease) !== '0' && !this.leases.has(str(lease))) return writeError(res, 404, 5, 'etcdserver: requested lease not found');
    }
    const responses = ops.map((op) => {
      if (op['request_put']) {
        const p = op['request_put'];
        this.put(unb64(p['key']), unb64(p['value']), str(p['lease'] ?? '0'));
        return { response_put: { header: this.header() } };
      }
      if (op['request_delete_range']) {
        const key = unb64(op['request_delete_range']['key']);
        const had = this.kvs.has(key);
        this.remove(key);
        return { response_delete_range: had ? { header: this.header(), deleted: '1' } : { header: this.header() } };
      }
      return { response_range: this.range(unb64(op['request_range']?.['key'])) };
    });
    const answer: Record<string, unknown> = { header: this.header(), responses };
    if (ok) answer['succeeded'] = true;
    writeJson(res, answer);
  }

  private watch(body: Record<string, unknown>, res: ServerResponse): void {
    const create = (body['create_request'] ?? {}) as Record<string, unknown>;
    const key = unb64(create['key']);
    const from = Number(str(create['start_revision']));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(`${JSON.stringify({ result: { header: this.header(), created: true } })}\n`);
    if (!this.deafWatches) {
      for (const c of this.history) {
        if (c.key === key && c.revision >= from) res.write(`${JSON.stringify({ result: { header: this.header(), events: [c.event] } })}\n`);
      }
    }
    const w = { key, res };
    this.watches.add(w);
    res.on('close', () => this.watches.delete(w));
  }
}
