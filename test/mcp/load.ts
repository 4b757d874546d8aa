/**
 * A load run against an MCP endpoint: several SDK clients (one session each) share a fixed number
 * of tools/call requests; every call's latency and outcome is recorded, so a lost call (no answer,
 * a transport error, an error result) is counted, never hidden.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** Options of {@link runLoad}. */
export interface LoadOptions {
  url: string;
  /** Concurrent clients, each with its own session, one call in flight each. */
  clients: number;
  /** Calls in all. */
  calls: number;
  tool: string;
  args?: Record<string, unknown>;
}

/** What a load run measured. */
export interface LoadResult {
  calls: number;
  ok: number;
  /** Calls that threw or returned isError, with the first few messages. */
  failed: number;
  errors: string[];
  /** Milliseconds per call, sorted. */
  latencies: number[];
  wallMs: number;
}

/** The `q` quantile (0..1) of sorted numbers. */
export function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Connects `count` SDK clients (a session each) to `url`. */
export function openClients(url: string, count: number): Promise<Client[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const client = new Client({ name: `load-${i}`, version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      return client;
    }),
  );
}

/** Runs `calls` tools/call requests across `clients`, one in flight per client. */
export async function runCalls(
  clients: Client[],
  calls: number,
  tool: string,
  args: Record<string, unknown> = {},
): Promise<LoadResult> {
  const latencies: number[] = [];
  const errors: string[] = [];
  let next = 0;
  let ok = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (next < calls) {
        next++;
        const t0 = performance.now();
        try {
          const r = await client.callTool({ name: tool, arguments: args });
          if (r.isError) throw new Error(JSON.stringify(r.content).slice(0, 200));
          ok++;
        } catch (err) {
          if (errors.length < 5) errors.push((err as Error).message);
        } finally {
          latencies.push(performance.now() - t0);
        }
      }
    }),
  );
  return {
    calls: latencies.length,
    ok,
    failed: latencies.length - ok,
    errors,
    latencies: latencies.sort((a, b) => a - b),
    wallMs: performance.now() - started,
  };
}

/** Results of several runs as one. */
export function mergeResults(results: LoadResult[]): LoadResult {
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const ok = results.reduce((n, r) => n + r.ok, 0);
  return {
    calls: latencies.length,
    ok,
    failed: latencies.length - ok,
    errors: results.flatMap((r) => r.errors).slice(0, 5),
    latencies,
    wallMs: results.reduce((n, r) => n + r.wallMs, 0),
  };
}

/** Connects `clients` sessions to `url`, runs `calls` tools/call requests across them, and closes them. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const clients = await openClients(options.url, options.clients);
  try {
    return await runCalls(clients, options.calls, options.tool, options.args);
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
  }
}

/** The sum of a counter's samples with these exact labels in a Prometheus exposition. */
export function counterValue(exposition: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort();
  let total = 0;
  for (const line of exposition.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[2]!.split(',').sort();
    if (want.every((w) => have.includes(w))) total += Number(m[3]);
  }
  return total;
}
