import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { CheckTarget, HealthProbePort, ProbeOutcome } from '../../application/index.js';
import type { Ipv4Address } from '../../domain/index.js';
import { parsePing, pingArgs } from '../network/ping.command.js';
import { runCommand, type RunCommand } from './command-runner.js';
import type { PingFlavor } from './platform.preflight.js';

/** Local checks (TCP connect, HTTP GET expecting 2xx, a command's exit code) and ICMP probes of witnesses. */
export class LocalHealthProbe implements HealthProbePort {
  constructor(
    private readonly ping: { file: string; flavor: PingFlavor } | null,
    private readonly run: RunCommand = runCommand,
  ) {}

  check(target: CheckTarget, timeoutMs: number): Promise<ProbeOutcome> {
    switch (target.kind) {
      case 'tcp':
        return this.tcp(target.host, target.port, timeoutMs);
      case 'http':
        return this.http(target.url, timeoutMs);
      case 'command':
        return this.command(target.argv, timeoutMs);
    }
  }

  async reachable(address: Ipv4Address, timeoutMs: number): Promise<boolean> {
    if (!this.ping) return false;
    const r = await this.run(this.ping.file, pingArgs(this.ping.flavor, address.toString(), null, timeoutMs), timeoutMs + 500);
    return !r.timedOut && parsePing(r.stdout) === 'reply';
  }

  private tcp(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
      const socket = connect({ host, port });
      const done = (ok: boolean, detail: string): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve({ ok, detail });
      };
      const timer = setTimeout(() => done(false, `no connection to ${host}:${port} within ${timeoutMs} ms`), timeoutMs);
      socket.once('connect', () => done(true, `${host}:${port} accepts connections`));
      socket.once('error', (err: NodeJS.ErrnoException) => done(false, `${host}:${port}: ${err.code ?? err.message}`));
    });
  }

  private http(url: string, timeoutMs: number): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (ok: boolean, detail: string): void => {
        if (settled) return;
        settled = true;
        resolve({ ok, detail });
      };
      const request = url.startsWith('https:') ? httpsRequest : httpRequest;
      const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        done(code >= 200 && code < 300, `GET ${url}: ${code}`);
      });
      req.setTimeout(timeoutMs, () => {
        req.destroy();
        done(false, `GET ${url}: no answer within ${timeoutMs} ms`);
      });
      req.on('error', (err: NodeJS.ErrnoException) => done(false, `GET ${url}: ${err.code ?? err.message}`));
      req.end();
    });
  }

  private async command(argv: readonly string[], timeoutMs: number): Promise<ProbeOutcome> {
    const [file, ...args] = argv;
    try {
      const r = await this.run(file!, args, timeoutMs);
      if (r.timedOut) return { ok: false, detail: `${file} did not finish within ${timeoutMs} ms` };
      const output = (r.stderr || r.stdout).trim().split('\n')[0] ?? '';
      return { ok: r.code === 0, detail: `${file} exited ${r.code}${output ? `: ${output}` : ''}` };
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
  }
}
