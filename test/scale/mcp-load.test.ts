/**
 * The load run's test-sized version (bench/mcp-load.ts runs 2,000): two real `hearth mcp --http`
 * behind the round-robin proxy, HEARTH_DATABASE_URL (a database of this test's own) and
 * HEARTH_REDIS_URL (a private Redis) set, 200 tools/call requests of the built-in `list_plugins`
 * from 8 concurrent sessions. None may be lost: every call answers without error, and the two
 * instances' /metrics together count exactly 200 calls.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type McpInstance,
  privateDatabase,
  type RoundRobin,
  startMcpInstances,
  startRoundRobin,
} from '../mcp/cluster.js';
import { counterValue, quantile, runLoad } from '../mcp/load.js';
import { type PrivateRedis, startPrivateRedis, workDir } from './lib/index.js';

const CALLS = 200;
const CLIENTS = 8;
const TOOL = 'list_plugins';

let redis: PrivateRedis;
let db: { url: string; drop(): Promise<void> };
let cwd: string;
let instances: McpInstance[] = [];
let proxy: RoundRobin;

beforeAll(async () => {
  [redis, db] = await Promise.all([startPrivateRedis(), privateDatabase()]);
  cwd = workDir();
  instances = await startMcpInstances(2, cwd, { HEARTH_REDIS_URL: redis.url, HEARTH_DATABASE_URL: db.url });
  proxy = await startRoundRobin(instances.map((i) => i.mcp));
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await Promise.all(instances.map((i) => i.proc.stop(10_000)));
  await redis?.stop();
  await db?.drop().catch(() => {});
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe(`MCP load: ${CALLS} tools/call through 2 instances`, () => {
  it('loses none: every call answers, and the instances count exactly that many', async () => {
    const r = await runLoad({ url: proxy.url, clients: CLIENTS, calls: CALLS, tool: TOOL });
    expect(r.errors).toEqual([]);
    expect(r.calls).toBe(CALLS);
    expect(r.ok).toBe(CALLS);
    const counted = await Promise.all(
      instances.map(async (i) =>
        counterValue(await (await fetch(`${i.ops}/metrics`)).text(), 'hearth_mcp_calls_total', {
          tool: TOOL,
          outcome: 'ok',
        }),
      ),
    );
    expect(counted.reduce((a, b) => a + b, 0)).toBe(CALLS);
    // round robin: both instances did real work
    for (const n of counted) expect(n).toBeGreaterThan(CALLS / 4);
    console.log(
      `mcp-load test: ${CALLS} calls, ${CLIENTS} clients, p50 ${quantile(r.latencies, 0.5).toFixed(1)} ms, p95 ${quantile(r.latencies, 0.95).toFixed(1)} ms, split ${counted.join('/')}`,
    );
  });
});
