/**
 * Every tools/call is counted in `hearth_mcp_calls_total{tool,outcome}` (ok, error, cancelled) and
 * failures in `hearth_errors_total{area="mcp",code}`; the counters read from the process's /metrics
 * exposition, over the SDK client and Streamable HTTP (sessions in the process).
 */
import { metrics } from '@hearth/core/ops';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpHttpServer, startMcpHttp } from '../../packages/bot/src/mcp/index.js';
import { type Connected, connect } from './client.js';
import { demoState, testHearth } from './fixtures/hearth.js';
import { counterValue } from './load.js';

let server: McpHttpServer;
let c: Connected;

const scrape = async () => (await metrics().scrape()).body;
const calls = async (tool: string, outcome: string) =>
  counterValue(await scrape(), 'hearth_mcp_calls_total', { tool, outcome });
const errors = async (code: string) => counterValue(await scrape(), 'hearth_errors_total', { area: 'mcp', code });

beforeAll(async () => {
  server = await startMcpHttp(testHearth({ rateLimit: { perMinute: 60_000, burst: 1000 } }), { port: 0 });
  c = await connect('http', { url: server.url });
});
afterAll(async () => {
  await c?.close();
  await server?.close();
});

describe('MCP call metrics', () => {
  it('counts a successful call as ok', async () => {
    const before = await calls('demo_echo', 'ok');
    await c.client.callTool({ name: 'demo_echo', arguments: { message: 'hi' } });
    expect(await calls('demo_echo', 'ok')).toBe(before + 1);
  });

  it('counts a failing call as error, with its code in hearth_errors_total', async () => {
    const [before, failed] = [await calls('demo_fail', 'error'), await errors('tool_failed')];
    const r = await c.client.callTool({ name: 'demo_fail', arguments: {} });
    expect(r.isError).toBe(true);
    expect(await calls('demo_fail', 'error')).toBe(before + 1);
    expect(await errors('tool_failed')).toBe(failed + 1);
  });

  it('counts an unknown tool in hearth_errors_total without a series per requested name', async () => {
    const before = await errors('unknown_tool');
    await expect(c.client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow(/Unknown tool/);
    expect(await errors('unknown_tool')).toBe(before + 1);
    expect(await scrape()).not.toContain('no_such_tool');
  });

  it('counts a cancelled call as cancelled, not as an error', async () => {
    const [before, errorsBefore] = [await calls('demo_slow', 'cancelled'), await calls('demo_slow', 'error')];
    const started = demoState.started;
    const abort = new AbortController();
    const call = c.client.callTool({ name: 'demo_slow', arguments: {} }, undefined, { signal: abort.signal });
    await expect.poll(() => demoState.started, { timeout: 5000 }).toBeGreaterThan(started);
    abort.abort('stop');
    await expect(call).rejects.toThrow();
    await expect.poll(() => calls('demo_slow', 'cancelled'), { timeout: 5000 }).toBe(before + 1);
    expect(await calls('demo_slow', 'error')).toBe(errorsBefore);
  });
});
