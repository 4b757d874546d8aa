import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What `/readyz` reports (the shape of core's `readiness()`). */
export interface ReadinessReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; ms: number; error?: string }>;
}

/** Options of {@link startOpsServer}. */
export interface OpsServerOptions {
  host: string;
  port: number;
  /** Runs the readiness checks (database, Redis, …). */
  ready: () => Promise<ReadinessReport>;
  /** The Prometheus exposition (core's `metrics().scrape()`). */
  metrics: () => Promise<{ contentType: string; body: string }>;
}

/** A running ops server. */
export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The operations endpoint of a Hearth process, for orchestrators and Prometheus:
 * `GET /healthz` (liveness: 200 while the event loop answers), `GET /readyz` (200 when every
 * dependency answers, else 503 with which failed) and `GET /metrics`. Bind it to loopback or a
 * private network: it needs no token and says which dependencies are down.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    try {
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/readyz') {
        const report = await options.ready();
        res
          .writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' })
          .end(`${JSON.stringify(report)}\n`);
      } else if (path === '/metrics') {
        const { contentType, body } = await options.metrics();
        res.writeHead(200, { 'content-type': contentType }).end(body);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz, /readyz or /metrics\n');
      }
    } catch {
      // details stay in the process log: a probe's body is readable by anyone on that network
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `--ops ${options.host}:${options.port}: the port is in use; pick another`
            : `--ops ${options.host}:${options.port}: ${err.message}`,
        ),
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Parses `--ops HOST:PORT` (or `PORT`, loopback). */
export function parseOpsListen(value: string): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65535) throw new Error(`--ops wants HOST:PORT (e.g. 127.0.0.1:9464), not "${value}"`);
  return { host: (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}
