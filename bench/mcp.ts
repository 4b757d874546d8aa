/**
 * MCP over Streamable HTTP: tool-call round trip of a trivial tool through Hearth's MCP server
 * (`startMcpHttp`: Host/Origin guard, auth, session routing, registry lookup, rate limiter, the
 * SDK tool wrapper, result conversion) against a bare SDK `McpServer` with the same tool on
 * node:http in the same process, both measured with the SDK's own `Client` +
 * `StreamableHTTPClientTransport` in alternating blocks. Then 100 sessions held open at once.
 * `pnpm bench mcp` (about 20 s); results in docs/benchmarks/mcp.md.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// the same SDK version packages/bot (Hearth's MCP server) uses, from the root's dev dependencies
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { startMcpHttp } from '../packages/bot/src/mcp/index.js';
import { testHearth } from '../test/mcp/fixtures/hearth.js';

const WARMUP = 200;
const CALLS = 2_000;
const BLOCK = 100; // calls per block; blocks alternate between the servers so drift hits both alike
const SESSIONS = 100;
const CALLS_PER_SESSION = 5;
const TOOL = 'demo_echo';
const ARGS = { message: 'hello' };

interface Stats {
  median: number;
  p95: number;
}

/** A bare SDK server: one `McpServer` per session with the same echo tool, the SDK's documented stateful setup. */
async function startBare(): Promise<{ url: string; sessionCount(): number; close(): Promise<void> }> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const newServer = () => {
    const server = new McpServer({ name: 'bare', version: '1.0.0' });
    server.registerTool(
      TOOL,
      {
        description: 'Echo a message back',
        inputSchema: {
          message: z.string().min(1).describe('what to echo'),
          times: z.number().int().min(1).max(5).default(1),
        },
        outputSchema: { echoed: z.string(), length: z.number() },
      },
      async ({ message, times }) => {
        const echoed = Array(times).fill(message).join(' ');
        return { content: [{ type: 'text', text: echoed }], structuredContent: { echoed, length: echoed.length } };
      },
    );
    return server;
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // the body parsed up front and handed over, as the SDK's express examples do (express.json())
    const chunks: Buffer[] = [];
    if (req.method === 'POST') for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    const id = req.headers['mcp-session-id'] as string | undefined;
    const known = id ? transports.get(id) : undefined;
    if (known) return known.handleRequest(req, res, body);
    if (id || req.method !== 'POST' || !isInitializeRequest(body)) {
      res.writeHead(400).end('no valid session');
      return;
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => void transports.set(sid, transport),
    });
    transport.onclose = () => void (transport.sessionId && transports.delete(transport.sessionId));
    await newServer().connect(transport);
    await transport.handleRequest(req, res, body);
  };
  const http: HttpServer = createServer((req, res) => void handle(req, res).catch(() => res.end()));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    sessionCount: () => transports.size,
    async close() {
      await Promise.all([...transports.values()].map((t) => t.close().catch(() => {})));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'hearth-bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  await client.listTools(); // as agents do; also lets the client validate structuredContent
  return client;
}

/** Ends the session on the server (DELETE), then closes the client. */
async function disconnect(client: Client): Promise<void> {
  await (client.transport as StreamableHTTPClientTransport).terminateSession();
  await client.close();
}

/** One tool call; throws unless it returned the echoed structured result. */
async function call(client: Client): Promise<void> {
  const r = await client.callTool({ name: TOOL, arguments: ARGS });
  const data = r.structuredContent as { echoed?: string } | undefined;
  if (r.isError || data?.echoed !== ARGS.message) throw new Error(`bad tool result: ${JSON.stringify(r)}`);
}

function stats(times: number[]): Stats {
  const s = Float64Array.from(times).sort();
  return { median: s[Math.floor(s.length / 2)]! * 1000, p95: s[Math.floor(s.length * 0.95)]! * 1000 };
}

/** Sequential round trips on each client, in alternating blocks; per-call times in ms. */
async function interleaved(clients: Client[]): Promise<number[][]> {
  const times = clients.map(() => [] as number[]);
  for (let i = 0; i < WARMUP; i++) for (const c of clients) await call(c);
  for (let done = 0; done < CALLS; done += BLOCK) {
    for (const [k, c] of clients.entries()) {
      for (let i = 0; i < BLOCK; i++) {
        const t = performance.now();
        await call(c);
        times[k]!.push(performance.now() - t);
      }
    }
    clients.reverse(); // ABBA order: neither server always runs first
    times.reverse();
  }
  if ((CALLS / BLOCK) % 2 === 1) times.reverse();
  return times;
}

/** `SESSIONS` clients connected at once, each making a few calls concurrently, all kept open until counted. */
async function concurrent(url: string, open: () => number) {
  let errors = 0;
  const firstError: string[] = [];
  const fail = (err: unknown) => {
    errors++;
    if (firstError.length === 0) firstError.push((err as Error).message);
  };
  const callTimes: number[] = [];
  const t0 = performance.now();
  const clients = await Promise.all(
    Array.from({ length: SESSIONS }, () =>
      connect(url).catch((err) => {
        fail(err);
        return undefined;
      }),
    ),
  );
  const connectMs = performance.now() - t0;
  await Promise.all(
    clients.map(async (c) => {
      if (!c) return;
      for (let i = 0; i < CALLS_PER_SESSION; i++) {
        const t = performance.now();
        await call(c).catch(fail);
        callTimes.push(performance.now() - t);
      }
    }),
  );
  const totalMs = performance.now() - t0;
  const held = open();
  await Promise.all(clients.map((c) => c && disconnect(c).catch(fail)));
  const left = open();
  return { errors, firstError: firstError[0], connectMs, totalMs, held, left, calls: stats(callTimes) };
}

/** Runs the benchmark and returns its markdown section. */
export async function run(): Promise<string> {
  // The defaults (120 calls/min, burst 30 per principal) would refuse a benchmark's worth of calls:
  // raised here, and said so in the results. maxSessions keeps its default (1000).
  const hearth = testHearth({ rateLimit: { perMinute: 100_000_000, burst: 1_000_000 } });
  const hearthServer = await startMcpHttp(hearth, { port: 0, env: {} }); // loopback, no token: principal `local`
  const bare = await startBare();
  try {
    const clients = [await connect(hearthServer.url), await connect(bare.url)];
    const [h, b] = (await interleaved(clients)).map(stats) as [Stats, Stats];
    await Promise.all(clients.map(disconnect));
    const many = await concurrent(hearthServer.url, () => hearthServer.sessionCount());
    const manyBare = await concurrent(bare.url, () => bare.sessionCount());
    const ratio = h.median / b.median;
    const f = (x: number) => x.toFixed(0);
    const row = (name: string, m: typeof many) =>
      `| ${name} | ${m.errors}${m.firstError ? ` (first: ${m.firstError})` : ''} | ${m.held} / ${m.left} | ${f(m.connectMs)} | ${f(m.totalMs)} | ${f(m.calls.median / 1000)} | ${f(m.calls.p95 / 1000)} |`;
    return [
      '## mcp',
      '',
      `Tool-call round trip over Streamable HTTP on loopback (SDK \`Client.callTool\`, trivial echo tool with zod input and output schema), ${CALLS.toLocaleString('en')} sequential calls per server after ${WARMUP} warm-up, in alternating blocks of ${BLOCK}.`,
      '',
      '| server | calls | median µs | p95 µs |',
      '| --- | --- | --- | --- |',
      `| bare SDK \`McpServer\` + \`StreamableHTTPServerTransport\` on node:http (baseline) | ${CALLS} | ${f(b.median)} | ${f(b.p95)} |`,
      `| Hearth \`startMcpHttp\` (Host/Origin guard, auth, session routing, registry lookup, rate limiter, SDK tool wrapper, result conversion) | ${CALLS} | ${f(h.median)} | ${f(h.p95)} |`,
      '',
      `Hearth / bare (median): **${ratio.toFixed(2)}** (goal <= 1.2: ${ratio <= 1.2 ? 'met' : 'NOT met'}); Hearth adds ${f(h.median - b.median)} µs per call.`,
      '',
      `${SESSIONS} sessions at once (${SESSIONS} clients connect together, then each makes ${CALLS_PER_SESSION} sequential calls, all clients concurrently, all sessions open until counted, then DELETEd):`,
      '',
      '| server | errors | sessions open at the end / after DELETE | connect all, ms | connect + all calls, ms | per call median ms | per call p95 ms |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      row('Hearth', many),
      row('bare SDK (reference)', manyBare),
      '',
      `Hearth held ${SESSIONS} sessions with ${many.errors === 0 && many.held === SESSIONS ? 'no errors (goal met)' : 'ERRORS (goal NOT met)'}.`,
      '',
    ].join('\n');
  } finally {
    await hearthServer.close();
    await bare.close();
  }
}
