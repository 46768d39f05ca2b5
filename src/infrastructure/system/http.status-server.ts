import { createServer, type Server } from 'node:http';
import { PortBusyError, PreconditionError } from '../errors.js';

/** GET /status (JSON) and GET /metrics (Prometheus text) on a local address; anything else is 404. */
export class HttpStatusServer {
  private server: Server | null = null;

  constructor(
    private readonly status: () => unknown,
    private readonly metrics: () => Promise<{ contentType: string; body: string }>,
  ) {}

  start(host: string, port: number): Promise<void> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET') {
        res.writeHead(405, { allow: 'GET' }).end();
      } else if (path === '/status') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(this.status(), null, 2)}\n`);
      } else if (path === '/metrics') {
        this.metrics().then(
          (m) => res.writeHead(200, { 'content-type': m.contentType }).end(m.body),
          (err: unknown) => res.writeHead(500).end(String(err)),
        );
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /status or /metrics\n');
      }
    });
    server.headersTimeout = 5000;
    server.requestTimeout = 5000;
    server.maxConnections = 32;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new PortBusyError(`status.listen ${host}:${port} (TCP)`, 'tcp', port)
            : new PreconditionError(`status.listen ${host}:${port}: ${err.code ?? err.message}`),
        ),
      );
      server.listen({ host, port }, () => resolve());
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
