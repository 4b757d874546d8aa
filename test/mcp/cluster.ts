/**
 * Several real `hearth mcp --http` processes behind a small round-robin HTTP proxy, as a load
 * balancer would put them: for the several-instances tests and bench/mcp-load.ts.
 */
import { writeFileSync } from 'node:fs';
import { Agent, createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pg } from '../../packages/core/src/storage/pg-module.js';
import { freePort, type HearthProcess, spawnHearth } from '../scale/lib/index.js';

export const SCALE_PLUGIN = join(import.meta.dirname, 'fixtures', 'scale-plugin.ts');

/** One proxied request: which backend answered it (-1: none could) and its JSON-RPC method(s). */
export interface ProxyHit {
  backend: number;
  method: string;
}

/** A round-robin proxy in front of `backends`. */
export interface RoundRobin {
  url: string;
  /** Every request so far, in arrival order. */
  hits: ProxyHit[];
  /** Sends the next request to backend `index` (then round robin again). */
  force(index: number): void;
  close(): Promise<void>;
}

const collect = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
};

/** What a body's JSON-RPC messages are, for the hit log ("GET" for streams). */
function methodOf(method: string | undefined, body: Buffer): string {
  if (method !== 'POST') return method ?? '?';
  try {
    const parsed = JSON.parse(body.toString()) as { method?: string; id?: unknown } | { method?: string }[];
    const list = Array.isArray(parsed) ? parsed : [parsed];
    return list.map((m) => m.method ?? 'response').join(',');
  } catch {
    return 'POST';
  }
}

/**
 * Forwards each request to the next backend (bodies buffered, responses streamed, so SSE works). A
 * backend that refuses the connection (a killed instance) is skipped, as a load balancer's
 * `proxy_next_upstream error` does; a request the backend already took is not retried.
 */
export async function startRoundRobin(backends: { host: string; port: number }[]): Promise<RoundRobin> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const hits: ProxyHit[] = [];
  let next = 0;
  let forced: number | undefined;
  const server = createServer(async (req, res) => {
    const body = await collect(req);
    const hit: ProxyHit = { backend: -1, method: methodOf(req.method, body) };
    hits.push(hit);
    const first = forced ?? next++ % backends.length;
    forced = undefined;
    for (let k = 0; k < backends.length; k++) {
      const i = (first + k) % backends.length;
      const b = backends[i]!;
      const outcome = await new Promise<'sent' | 'retry'>((resolve) => {
        const up = request(
          {
            agent,
            host: b.host,
            port: b.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: `${b.host}:${b.port}` },
          },
          (upRes) => {
            hit.backend = i;
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
            upRes.on('error', () => res.destroy());
            res.on('close', () => upRes.destroy());
            resolve('sent');
          },
        );
        up.on('error', (err: NodeJS.ErrnoException) => {
          // never connected, or a pooled connection the dead backend had closed
          if (err.code === 'ECONNREFUSED' || (up.reusedSocket && err.code === 'ECONNRESET')) resolve('retry');
          else {
            res.destroy();
            resolve('sent');
          }
        });
        up.end(body);
      });
      if (outcome === 'sent') return;
    }
    res.writeHead(502, { 'content-type': 'text/plain' }).end('no backend answered\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    hits,
    force: (index) => void (forced = index),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A `hearth mcp --http` instance with its ops endpoint. */
export interface McpInstance {
  proc: HearthProcess;
  mcp: { host: string; port: number };
  ops: string;
}

/**
 * The `hearth.config.json` of the MCP load runs: the fixture plugin, no first-party plugins, no docs
 * ingest, and a rate limit a load run never reaches. A caller that writes its own config (a whole
 * deployment sharing one) starts from this.
 */
export function mcpLoadConfig(): Record<string, unknown> {
  return {
    plugins: { firstParty: false, load: [SCALE_PLUGIN] },
    knowledge: { ingestDocsOnStart: false },
    // every client here is the one default principal; its default budget (120 calls a minute) is
    // for an agent, not for a load run
    mcp: { rateLimit: { perMinute: 600_000, burst: 10_000 } },
  };
}

/** Options of {@link startMcpInstances}. */
export interface McpInstancesOptions {
  /** Write {@link mcpLoadConfig} into `cwd` first (default true); false keeps the caller's config. */
  writeConfig?: boolean;
}

/**
 * Starts `count` `hearth mcp --http` processes in `cwd` (one shared data folder) with `env`
 * (HEARTH_REDIS_URL, HEARTH_DATABASE_URL...) and the fixture plugin, each with `--ops`.
 */
export async function startMcpInstances(
  count: number,
  cwd: string,
  env: Record<string, string>,
  options: McpInstancesOptions = {},
): Promise<McpInstance[]> {
  if (options.writeConfig !== false) writeFileSync(join(cwd, 'hearth.config.json'), JSON.stringify(mcpLoadConfig()));
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const [port, opsPort] = [await freePort(), await freePort()];
      const proc = spawnHearth(['mcp', '--http', `127.0.0.1:${port}`, '--ops', `127.0.0.1:${opsPort}`], {
        cwd,
        env: { HEARTH_LOG_LEVEL: 'warn', ...env },
        name: `hearth mcp #${i}`,
      });
      await proc.waitFor(/Hearth MCP server at http:\/\/\S+\/mcp/, 120_000);
      return { proc, mcp: { host: '127.0.0.1', port }, ops: `http://127.0.0.1:${opsPort}` };
    }),
  );
}

/** A database of its own on the shared PostgreSQL (dropped by the returned function). */
export async function privateDatabase(
  admin = process.env.HEARTH_TEST_PG_ADMIN ?? 'postgres://postgres@127.0.0.1:5432/postgres',
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hearth_mcp_${process.pid}_${Date.now().toString(36)}`;
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 3000 });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
