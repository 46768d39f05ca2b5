// One endpoint of the fake etcd gateway (the faults it can play), and how it writes its answers.
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What one endpoint does wrong: reset (drops each connection), hang (never answers), garbage (answers non-JSON),
 * huge (an endless body), unavailable (503 "no leader", as a member cut off from the leader).
 */
export type EndpointFault = 'none' | 'reset' | 'hang' | 'garbage' | 'huge' | 'unavailable';

export class FakeEtcdEndpoint {
  fault: EndpointFault = 'none';
  /** The paths the fault applies to (e.g. '/v3/kv/range'); all when empty. */
  faultPaths: string[] = [];
  readonly sockets = new Set<Socket>();
  url = '';

  constructor(readonly server: Server) {}

  faulty(path: string): EndpointFault {
    return this.faultPaths.length === 0 || this.faultPaths.includes(path) ? this.fault : 'none';
  }
}

/** Writes until the client hangs up (or 64 MiB). */
export function writeEndless(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  const more = (): void => {
    while (!res.destroyed && sent < 64 * 1024 * 1024) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end();
  };
  more();
}

export function writeJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

/** A gRPC error as grpc-gateway v1 writes it. */
export function writeError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: message, code, message }));
}
