/**
 * Two real `hearth mcp --http` processes behind a round-robin proxy, sessions in a private Redis
 * and the database on PostgreSQL (a database of this test's own): the SDK client's requests land
 * on both instances within one session (initialize on one, calls on the other), progress and
 * cancellation work across them, /metrics and /readyz answer, and after one instance is killed
 * (SIGKILL) the client's next calls go through the other.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type McpInstance,
  privateDatabase,
  type RoundRobin,
  startMcpInstances,
  startRoundRobin,
} from '../mcp/cluster.js';
import { type PrivateRedis, startPrivateRedis, waitUntil, workDir } from './lib/index.js';

let redis: PrivateRedis;
let db: { url: string; drop(): Promise<void> };
let cwd: string;
let instances: McpInstance[] = [];
let proxy: RoundRobin;
let client: Client;
const state = () => join(cwd, 'scale-state.txt');
const events = () => (existsSync(state()) ? readFileSync(state(), 'utf8') : '');

const pidOf = async (c: Client) => {
  const r = await c.callTool({ name: 'scalefix_whoami', arguments: {} });
  expect(r.isError, JSON.stringify(r)).toBeFalsy();
  return (r.structuredContent as { pid: number }).pid;
};

beforeAll(async () => {
  [redis, db] = await Promise.all([startPrivateRedis(), privateDatabase()]);
  cwd = workDir();
  instances = await startMcpInstances(2, cwd, {
    HEARTH_REDIS_URL: redis.url,
    HEARTH_DATABASE_URL: db.url,
    HEARTH_MCP_SCALE_STATE: state(),
  });
  proxy = await startRoundRobin(instances.map((i) => i.mcp));
  client = new Client({ name: 'scale-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url)));
}, 180_000);

afterAll(async () => {
  await client?.close().catch(() => {});
  await proxy?.close();
  await Promise.all(instances.map((i) => i.proc.stop(10_000)));
  await redis?.stop();
  await db?.drop().catch(() => {});
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('hearth mcp --http x2 behind a round-robin load balancer, sessions in Redis', () => {
  it('serves one session from both instances: initialize on one, tools/list and tools/call on the other', async () => {
    const init = proxy.hits.find((h) => h.method === 'initialize');
    expect(init?.backend).toBeGreaterThanOrEqual(0);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['scalefix_whoami', 'scalefix_slow', 'search_knowledge']));
    const pids = new Set<number>();
    for (let i = 0; i < 6; i++) pids.add(await pidOf(client));
    expect([...pids].sort()).toEqual(instances.map((i) => i.proc.pid).sort());
    const calls = proxy.hits.filter((h) => h.method === 'tools/call');
    expect(new Set(calls.map((h) => h.backend))).toEqual(new Set([0, 1]));
    // the instance that did not see initialize served calls of the session all the same
    expect(calls.some((h) => h.backend !== init!.backend)).toBe(true);
  });

  it('streams progress notifications of a call wherever it runs', async () => {
    for (let round = 0; round < 2; round++) {
      const progress: number[] = [];
      const r = await client.callTool({ name: 'scalefix_slow', arguments: { steps: 4 } }, undefined, {
        onprogress: (p) => void progress.push(p.progress),
      });
      expect(r.isError, JSON.stringify(r)).toBeFalsy();
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress.at(-1)).toBe(1);
      expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    }
  });

  it('cancels a call on the instance running it when the cancellation reaches the other one', async () => {
    const before = events();
    const abort = new AbortController();
    const call = client.callTool({ name: 'scalefix_slow', arguments: { steps: 300 } }, undefined, {
      signal: abort.signal,
    });
    call.catch(() => {});
    await waitUntil('the slow call to start', () => events().length > before.length, 20_000);
    const runner = Number(/started (\d+)/.exec(events().slice(before.length))![1]);
    const other = instances.findIndex((i) => i.proc.pid !== runner);
    proxy.force(other);
    const sent = proxy.hits.length;
    abort.abort('test cancels');
    await expect(call).rejects.toThrow();
    await waitUntil(
      `"cancelled ${runner}" in the fixture's log`,
      () => events().includes(`cancelled ${runner}`),
      10_000,
    );
    const cancel = proxy.hits.slice(sent).find((h) => h.method === 'notifications/cancelled');
    expect(cancel?.backend).toBe(other);
    // stopped, not run to its end (30 s)
    expect(events().slice(before.length)).not.toContain('finished');
  });

  it('counts each call in /metrics and reports ready with database, queue and listener checks', async () => {
    const scraped = await Promise.all(instances.map((i) => fetch(`${i.ops}/metrics`).then((r) => r.text())));
    for (const text of scraped)
      expect(text).toMatch(/hearth_mcp_calls_total\{tool="scalefix_whoami",outcome="ok"\} [1-9]/);
    expect(scraped.join('\n')).toMatch(/hearth_mcp_calls_total\{tool="scalefix_slow",outcome="cancelled"\} 1/);
    const ready = await fetch(`${instances[0]!.ops}/readyz`);
    const report = (await ready.json()) as { ok: boolean; checks: Record<string, { ok: boolean }> };
    expect(ready.status, JSON.stringify(report)).toBe(200);
    expect(report.checks.database?.ok).toBe(true);
    expect(report.checks.mcp?.ok).toBe(true);
    expect((await fetch(`${instances[1]!.ops}/healthz`)).status).toBe(200);
  });

  it('answers every HTTP request with an X-Request-Id', async () => {
    const res = await fetch(proxy.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(400); // no session
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keeps the session going through the other instance after one is killed with SIGKILL', async () => {
    const [victim, survivor] = instances as [McpInstance, McpInstance];
    victim.proc.child.kill('SIGKILL');
    await victim.proc.exited;
    const pids = new Set<number>();
    for (let i = 0; i < 4; i++) pids.add(await pidOf(client));
    expect([...pids]).toEqual([survivor.proc.pid]);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    // a new session starts too
    const fresh = new Client({ name: 'scale-test-2', version: '1.0.0' });
    await fresh.connect(new StreamableHTTPClientTransport(new URL(proxy.url)));
    expect(await pidOf(fresh)).toBe(survivor.proc.pid);
    await fresh.close();
  });
});
