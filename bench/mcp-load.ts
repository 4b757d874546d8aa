/**
 * MCP load run, several instances: 2,000 tools/call requests of the built-in `list_plugins` from 8
 * concurrent SDK clients (a session each) through two real `hearth mcp --http` processes behind a
 * round-robin proxy, with HEARTH_DATABASE_URL (a database of its own on the PostgreSQL at
 * HEARTH_TEST_PG_ADMIN, default postgres://postgres@127.0.0.1:5432/postgres) and HEARTH_REDIS_URL
 * (a private redis-server) set. Lost calls are counted twice: on the clients (no answer, an error)
 * and on the servers (hearth_mcp_calls_total of both instances' /metrics). Baselines in the same
 * run: one instance without Redis (sessions in process), and one instance with Redis, both direct.
 * All setups run at once and take turns in blocks of 250 calls (ABC CBA ...), so the machine's load
 * drift hits them alike. `corepack pnpm bench mcp-load` (about a minute); results in
 * docs/benchmarks/mcp-load.md.
 */
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  type McpInstance,
  privateDatabase,
  type RoundRobin,
  startMcpInstances,
  startRoundRobin,
} from '../test/mcp/cluster.js';
import { counterValue, type LoadResult, mergeResults, openClients, quantile, runCalls } from '../test/mcp/load.js';
import { startPrivateRedis, workDir } from '../test/scale/lib/index.js';

const CALLS = Number(process.env.HEARTH_BENCH_MCP_CALLS ?? 2_000);
const BLOCK = 250;
const CLIENTS = 8;
const TOOL = 'list_plugins';

/** One deployment under test, running for the whole bench. */
interface Setup {
  name: string;
  cwd: string;
  instances: McpInstance[];
  proxy?: RoundRobin;
  clients: Client[];
  results: LoadResult[];
  /** hearth_mcp_calls_total{tool,outcome="ok"} per instance before the measured calls. */
  before: number[];
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

async function start(name: string, count: number, env: Record<string, string>, proxied: boolean): Promise<Setup> {
  const cwd = workDir();
  const instances = await startMcpInstances(count, cwd, env);
  const proxy = proxied ? await startRoundRobin(instances.map((i) => i.mcp)) : undefined;
  const url = proxy?.url ?? `http://${instances[0]!.mcp.host}:${instances[0]!.mcp.port}/mcp`;
  const clients = await openClients(url, CLIENTS);
  // warm-up (module loading, JIT on both sides), not counted
  await runCalls(clients, 200, TOOL);
  return { name, cwd, instances, proxy, clients, results: [], before: await counted(instances) };
}

async function stop(s: Setup): Promise<void> {
  await Promise.all(s.clients.map((c) => c.close().catch(() => {})));
  await s.proxy?.close();
  await Promise.all(s.instances.map((i) => i.proc.stop(10_000)));
  rmSync(s.cwd, { recursive: true, force: true });
}

const ms = (n: number) => n.toFixed(1);

export async function run(): Promise<string> {
  const redis = await startPrivateRedis();
  const db = await privateDatabase();
  const setups: Setup[] = [];
  const rows: { s: Setup; result: LoadResult; counted: number[] }[] = [];
  try {
    const shared = { HEARTH_DATABASE_URL: db.url, HEARTH_REDIS_URL: redis.url };
    // one at a time: the instances migrate the one database at start
    setups.push(await start('1 instance, direct, sessions in process', 1, { HEARTH_DATABASE_URL: db.url }, false));
    setups.push(await start('1 instance, direct, sessions in Redis', 1, shared, false));
    setups.push(await start('2 instances behind the round-robin proxy, sessions in Redis', 2, shared, true));
    for (let round = 0; round * BLOCK < CALLS; round++) {
      const order = round % 2 ? [...setups].reverse() : setups;
      for (const s of order) s.results.push(await runCalls(s.clients, Math.min(BLOCK, CALLS - round * BLOCK), TOOL));
    }
    for (const s of setups) {
      const after = await counted(s.instances);
      rows.push({ s, result: mergeResults(s.results), counted: after.map((n, i) => n - s.before[i]!) });
    }
  } finally {
    await Promise.all(setups.map(stop));
    await redis.stop();
    await db.drop().catch(() => {});
  }
  const lines = [
    '## MCP load run (several instances)',
    '',
    `${CALLS} tools/call requests of \`${TOOL}\` per setup from ${CLIENTS} concurrent SDK clients (Client +`,
    'StreamableHTTPClientTransport, one session each, one call in flight each), HEARTH_DATABASE_URL',
    `(PostgreSQL) set in every setup; the setups take turns in blocks of ${BLOCK} calls; ${cpus().length} cores`,
    'shared by the clients, the proxy, four Hearth processes, PostgreSQL and Redis.',
    '',
    '| setup | calls answered | lost (client) | counted by servers (per instance) | p50 ms | p95 ms | p99 ms | calls/s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      ({ s, result: r, counted: c }) =>
        `| ${s.name} | ${r.ok} / ${CALLS} | ${CALLS - r.ok} | ${c.reduce((a, b) => a + b, 0)} (${c.join(' / ')}) | ${ms(quantile(r.latencies, 0.5))} | ${ms(quantile(r.latencies, 0.95))} | ${ms(quantile(r.latencies, 0.99))} | ${Math.round((r.calls / r.wallMs) * 1000)} |`,
    ),
    '',
  ];
  const errors = rows.flatMap(({ s, result }) => result.errors.map((e) => `- ${s.name}: ${e}`));
  if (errors.length) lines.push('Errors (first few):', '', ...errors, '');
  const lost = rows.some(({ result, counted: c }) => result.ok !== CALLS || c.reduce((a, b) => a + b, 0) !== CALLS);
  if (lost) throw new Error(`calls were lost:\n${lines.join('\n')}`);
  return lines.join('\n');
}
