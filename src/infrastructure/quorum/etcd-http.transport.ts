import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { EtcdError, MAX_ANSWER_BYTES, parseObject, sanitize, statusError } from './etcd-json.js';

/** PEM material, as read by the caller. */
export interface EtcdTlsMaterial {
  readonly ca?: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
}

export interface EtcdGatewayOptions {
  /** Client URLs of the members, e.g. https://10.0.0.1:2379; tried in turn when one fails. */
  readonly endpoints: readonly string[];
  readonly tls?: EtcdTlsMaterial;
  readonly auth?: { readonly username: string; readonly password: string };
  /** The monotonic clock (ms), read just before each request is sent (a lease counts from then). */
  readonly now?: () => number;
  readonly maxAnswerBytes?: number;
  /** Throws to refuse an answer (one from a cluster that was replaced): the call goes on to the next endpoint. */
  readonly check?: (body: Record<string, unknown>) => void;
}

/** An answer, with when the request that got it was sent (by the `now` clock). */
export interface Answer {
  readonly body: Record<string, unknown>;
  readonly sentAt: number;
}

/** Where a stream's bytes go; end: once, with why it ended (never after the caller's own close). */
export interface StreamSink {
  data(chunk: Buffer): void;
  end(why: string): void;
}

export interface StreamHandle {
  /** The stream is set up (its first answer came): its setup deadline no longer applies. */
  established(): void;
  close(): void;
}

/**
 * POSTs to the members' JSON gateway: one endpoint at a time, the next on a connection error, a timeout, an
 * unreadable answer or "unavailable", all within the call's deadline; answers capped in size; an auth token fetched
 * when needed and fetched again once when the store says it is no longer valid.
 */
export class EtcdHttpTransport {
  private readonly endpoints: readonly URL[];
  private readonly httpAgent = new HttpAgent({ keepAlive: true, keepAliveMsecs: 10_000 });
  private readonly httpsAgent: HttpsAgent;
  private readonly now: () => number;
  readonly maxBytes: number;
  /** Aborts each call in flight with the error given. */
  private readonly inflight = new Set<(err: EtcdError) => void>();
  /** Ends each open stream. */
  private readonly streams = new Set<() => void>();
  private current = 0;
  private token: string | null = null;
  private authenticating: Promise<void> | null = null;

  constructor(private readonly options: EtcdGatewayOptions) {
    if (options.endpoints.length === 0) throw new Error('etcd: no endpoints');
    this.endpoints = options.endpoints.map((e) => {
      const url = new URL(e);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`etcd endpoint ${e}: not http(s)`);
      return url;
    });
    const tls = options.tls ?? {};
    this.httpsAgent = new HttpsAgent({ keepAlive: true, keepAliveMsecs: 10_000, ca: tls.ca, cert: tls.cert, key: tls.key });
    this.now = options.now ?? (() => performance.now());
    this.maxBytes = options.maxAnswerBytes ?? MAX_ANSWER_BYTES;
  }

  /** The endpoint the next call tries first (the last one that answered). */
  get endpoint(): string {
    return this.endpoints[this.current]!.origin;
  }

  /** A streaming POST on the current endpoint; `setupTimeoutMs` until established() (then none: it may idle). */
  stream(path: string, payload: object, setupTimeoutMs: number, sink: StreamSink): StreamHandle {
    const url = this.endpoints[this.current]!;
    let req: ClientRequest | null = null;
    let ended = false;
    const teardown = (): void => {
      ended = true;
      clearTimeout(timer);
      this.streams.delete(closed);
      req?.destroy();
    };
    const fail = (e: unknown, rotate: boolean): void => {
      if (ended) return;
      teardown();
      const err = this.classify(e, url);
      if (err.badToken) this.token = null;
      if (rotate) this.rotateFrom(url);
      sink.end(err.message);
    };
    const closed = (): void => fail(new EtcdError('closed', 'etcd client closed'), false);
    const timer = setTimeout(() => fail(new EtcdError('timeout', `${url.host}: ${path} not set up within ${Math.round(setupTimeoutMs)} ms`), true), setupTimeoutMs);
    timer.unref();
    this.streams.add(closed);
    this.ensureToken(setupTimeoutMs)
      .then(() => {
        if (ended) return;
        req = this.send(url, path, payload, (res) => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            this.readBody(res, url.host, (err, text) => fail(err ?? statusError(status, text, `${url.host}${path}`), false));
            return;
          }
          res.on('data', (chunk: Buffer) => !ended && sink.data(chunk));
          res.on('end', () => fail(new EtcdError('connect', `${url.host}: the store ended ${path}`), false));
          res.on('error', (e) => fail(e, false));
          res.on('close', () => fail(new EtcdError('connect', `${url.host}: ${path} connection closed`), false));
        });
        req.on('error', (e) => fail(e, true));
      })
      .catch((e: unknown) => fail(e, false));
    return { established: () => clearTimeout(timer), close: teardown };
  }

  /** Aborts every call and stream in flight and drops idle connections; later calls work as before. */
  close(): void {
    for (const abort of [...this.inflight]) abort(new EtcdError('closed', 'etcd client closed'));
    for (const end of [...this.streams]) end();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** POST with the deadline shared by every endpoint tried; a refused or stale token is renewed once. */
  async post(path: string, payload: object, timeoutMs: number, authed = true): Promise<Answer> {
    const end = performance.now() + timeoutMs;
    const n = this.endpoints.length;
    let lastError: EtcdError | null = null;
    let reauthed = false;
    for (let tried = 0; tried < n; ) {
      const left = end - performance.now();
      if (left <= 0) break;
      const url = this.endpoints[this.current]!;
      try {
        if (authed) await this.ensureToken(left);
        // an endpoint that hangs must leave time for the next one
        const budget = tried === n - 1 ? end - performance.now() : (end - performance.now()) / 2;
        return await this.attempt(url, path, payload, budget, authed, true);
      } catch (e) {
        const err = this.classify(e, url);
        if (err.kind === 'closed') throw err;
        if (authed && err.badToken && this.options.auth && !reauthed) {
          reauthed = true;
          this.token = null;
          continue;
        }
        if (err.kind === 'status' && !err.unavailable) throw err;
        lastError = err;
        this.rotateFrom(url);
        tried++;
      }
    }
    throw lastError ?? new EtcdError('timeout', `${path}: no answer within ${Math.round(timeoutMs)} ms`);
  }

  private attempt(url: URL, path: string, payload: object, timeoutMs: number, authed: boolean, retryStale: boolean): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      let finished = false;
      const finish = (): boolean => {
        if (finished) return false;
        finished = true;
        clearTimeout(timer);
        this.inflight.delete(abort);
        return true;
      };
      const where = `${url.host}${path}`;
      const started = performance.now();
      const sentAt = this.now();
      const req = this.send(
        url,
        path,
        payload,
        (res) => {
          this.readBody(res, url.host, (err, text) => {
            if (!finish()) return;
            if (err) return reject(err);
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) return reject(statusError(status, text, where));
            try {
              // a stream answer (keepalive) is one line; a unary one is compact JSON: the first line either way
              const body = parseObject(text.split('\n').find((l) => l.trim()) ?? '', where);
              this.options.check?.(body);
              resolve({ body, sentAt });
            } catch (e) {
              reject(e);
            }
          });
        },
        authed,
      );
      const abort = (err: EtcdError): void => {
        if (finish()) reject(err);
        req.destroy();
      };
      const timer = setTimeout(() => abort(new EtcdError('timeout', `${url.host}: no answer within ${Math.round(timeoutMs)} ms`)), Math.max(1, timeoutMs));
      timer.unref();
      this.inflight.add(abort);
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (!finish()) return;
        // a pooled connection the member closed while idle: the request never reached it, so send it again at once
        if (retryStale && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
          this.attempt(url, path, payload, Math.max(1, timeoutMs - (performance.now() - started)), authed, false).then(resolve, reject);
        } else reject(e);
      });
    });
  }

  private send(url: URL, path: string, payload: object, onResponse: (res: IncomingMessage) => void, authed = true): ClientRequest {
    const data = JSON.stringify(payload);
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) };
    if (authed && this.token) headers['authorization'] = this.token;
    const https = url.protocol === 'https:';
    const target = new URL(url.pathname.replace(/\/+$/, '') + path, url);
    const req = (https ? httpsRequest : httpRequest)(target, { method: 'POST', headers, agent: https ? this.httpsAgent : this.httpAgent }, onResponse);
    req.end(data);
    return req;
  }

  /** The body, up to the cap: a member that sends more is cut off. */
  private readBody(res: IncomingMessage, host: string, callback: (err: unknown, text: string) => void): void {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const settle = (err: unknown, text: string): void => {
      if (settled) return;
      settled = true;
      callback(err, text);
    };
    res.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > this.maxBytes) {
        res.destroy();
        settle(new EtcdError('answer', `${host}: answer exceeds ${this.maxBytes} bytes`), '');
      } else chunks.push(chunk);
    });
    res.on('end', () => settle(null, Buffer.concat(chunks).toString('utf8')));
    res.on('error', (e) => settle(e, ''));
    res.on('close', () => settle(new EtcdError('connect', `${host}: connection closed mid-answer`), ''));
  }

  private async ensureToken(timeoutMs: number): Promise<void> {
    const auth = this.options.auth;
    if (!auth || this.token) return;
    this.authenticating ??= this.post('/v3/auth/authenticate', { name: auth.username, password: auth.password }, timeoutMs, false)
      .then(({ body }) => {
        const token = body['token'];
        // it goes into a header: printable, bounded
        if (typeof token !== 'string' || !/^[\x21-\x7e]{1,4096}$/.test(token)) throw new EtcdError('answer', 'authenticate: no usable token in the answer');
        this.token = token;
      })
      .finally(() => (this.authenticating = null));
    await this.authenticating;
  }

  private rotateFrom(url: URL): void {
    if (this.endpoints[this.current] === url) this.current = (this.current + 1) % this.endpoints.length;
  }

  private classify(e: unknown, url: URL): EtcdError {
    if (e instanceof EtcdError) return e;
    const err = e as NodeJS.ErrnoException;
    return new EtcdError('connect', `${url.host}: ${sanitize(err.code ?? err.message ?? String(e))}`);
  }
}
