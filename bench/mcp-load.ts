/**
 * MCP load run, several instances: 2,000 tools/call requests of the built-in `list_plugins` from 8
 * concurrent SDK clients (a session each) through two real `hearth mcp --http` processes behind a
 * round-robin proxy, with HEARTH_DATABASE_URL (a database of its own on the PostgreSQL at
 * HEARTH_TEST_PG_ADMIN, default postgres://postgres@127.0.0.1:5432/postgres) and HEARTH_REDIS_URL
 * (a private redis-server) set. Lost calls are counted twice: on the clients (no answer, an error)
 * and on the servers (hearth_mcp_calls_total of both instances' /metrics). Baselines in the same
 * run: one instance without Redis (sessions in process), and one instance with Redis, both direct.
 * `corepack pnpm bench mcp-load` (about a minute); results in docs/benchmarks/mcp-load.md.
 */
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import {
  type McpInstance,
  privateDatabase,
  type RoundRobin,
  startMcpInstances,
  startRoundRobin,
} from '../test/mcp/cluster.js';
import { counterValue, type LoadResult, quantile, runLoad } from '../test/mcp/load.js';
import { startPrivateRedis, workDir } from '../test/scale/lib/index.js';

const CALLS = Number(process.env.HEARTH_BENCH_MCP_CALLS ?? 2_000);
const CLIENTS = 8;
const TOOL = 'list_plugins';

interface Row {
  setup: string;
  result: LoadResult;
  /** Calls the servers counted (ok), per instance. */
  counted: number[];
}

async function counted(instances: McpInstance[]): Promise<number[]> {
  return Promise.all(
    instances.map(async (i) =>
      counterValue(await (await fetch(`${i.ops}/metrics`)).text(), 'hearth_mcp_calls_total', {
        tool: TOOL,
        outcome: 'ok',
      }),
    ),
  );
}

/** Starts `count` instances with `env`, runs the load through `front` (a proxy, or the one instance), stops them. */
async function phase(setup: string, count: number, env: Record<string, string>, proxied: boolean): Promise<Row> {
  const cwd = workDir();
  let instances: McpInstance[] = [];
  let proxy: RoundRobin | undefined;
  try {
    instances = await startMcpInstances(count, cwd, env);
    proxy = proxied ? await startRoundRobin(instances.map((i) => i.mcp)) : undefined;
    const url = proxy?.url ?? `http://${instances[0]!.mcp.host}:${instances[0]!.mcp.port}/mcp`;
    // warm-up: module loading and JIT, not counted
    await runLoad({ url, clients: 2, calls: 100, tool: TOOL });
    const before = await counted(instances);
    const result = await runLoad({ url, clients: CLIENTS, calls: CALLS, tool: TOOL });
    const after = await counted(instances);
    return { setup, result, counted: after.map((n, i) => n - before[i]!) };
  } finally {
    await proxy?.close();
    await Promise.all(instances.map((i) => i.proc.stop(10_000)));
    rmSync(cwd, { recursive: true, force: true });
  }
}

const ms = (n: number) => n.toFixed(1);

export async function run(): Promise<string> {
  const redis = await startPrivateRedis();
  const db = await privateDatabase();
  const rows: Row[] = [];
  try {
    rows.push(await phase('1 instance, direct, sessions in process', 1, { HEARTH_DATABASE_URL: db.url }, false));
    rows.push(
      await phase(
        '1 instance, direct, sessions in Redis',
        1,
        { HEARTH_DATABASE_URL: db.url, HEARTH_REDIS_URL: redis.url },
        false,
      ),
    );
    rows.push(
      await phase(
        '2 instances behind the round-robin proxy, sessions in Redis',
        2,
        { HEARTH_DATABASE_URL: db.url, HEARTH_REDIS_URL: redis.url },
        true,
      ),
    );
  } finally {
    await redis.stop();
    await db.drop().catch(() => {});
  }
  const lines = [
    '## MCP load run (several instances)',
    '',
    `${CALLS} tools/call requests of \`${TOOL}\` from ${CLIENTS} concurrent SDK clients (Client +`,
    'StreamableHTTPClientTransport, one session each), HEARTH_DATABASE_URL (PostgreSQL) set in every setup;',
    `${cpus().length} cores shared by the clients, the proxy, the instances, PostgreSQL and Redis.`,
    '',
    '| setup | calls answered | lost (client) | counted by servers (per instance) | p50 ms | p95 ms | p99 ms | calls/s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.setup} | ${r.result.ok} / ${CALLS} | ${CALLS - r.result.ok} | ${r.counted.reduce((a, b) => a + b, 0)} (${r.counted.join(' / ')}) | ${ms(quantile(r.result.latencies, 0.5))} | ${ms(quantile(r.result.latencies, 0.95))} | ${ms(quantile(r.result.latencies, 0.99))} | ${Math.round((r.result.calls / r.result.wallMs) * 1000)} |`,
    ),
    '',
  ];
  const errors = rows.flatMap((r) => r.result.errors.map((e) => `- ${r.setup}: ${e}`));
  if (errors.length) lines.push('Errors (first few):', '', ...errors, '');
  const lost = rows.some((r) => r.result.ok !== CALLS || r.counted.reduce((a, b) => a + b, 0) !== CALLS);
  if (lost) throw new Error(`calls were lost:\n${lines.join('\n')}`);
  return lines.join('\n');
}
