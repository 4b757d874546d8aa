import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { configSchema, createLogger, Redactor, ToolRegistry } from '@hearth/core';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterAll, describe, expect, it } from 'vitest';
import { connectMcpServers, type McpServers } from '../../packages/core/src/mcp-client/index.js';
import { REPO, STDIO_FIXTURE } from './client.js';
import { externalServer } from './fixtures/external-server.mjs';

const EXTERNAL = STDIO_FIXTURE.replace('stdio-server.ts', 'external-server.mjs');
const admin = { surface: 'discord' as const, userId: 'u', roles: [], isAdmin: true };

function deps(servers: unknown[]) {
  const lines: string[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
  const config = configSchema.parse({ mcp: { servers } });
  return {
    config,
    registry: new ToolRegistry(),
    log: createLogger({ level: 'debug', redactor: new Redactor(), destination: sink }),
    lines,
    retryMs: 100,
  };
}

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('external MCP servers join the registry', () => {
  const open: McpServers[] = [];
  let http: Server | undefined;
  afterAll(async () => {
    for (const o of open) await o.close();
    http?.close();
  });

  it('over stdio: tools named <server>_<tool> with fields, results, progress, errors; unexpressible tools skipped with a reason', async () => {
    const d = deps([{ name: 'ext', command: process.execPath, args: [EXTERNAL], cwd: REPO, access: 'everyone' }]);
    const servers = await connectMcpServers(d);
    open.push(servers);
    const names = d.registry.list().map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['ext_add', 'ext_pixel', 'ext_fail', 'ext_count']));
    expect(names).not.toContain('ext_nested');
    expect(servers.status()[0]!.skipped[0]).toMatchObject({
      tool: 'nested',
      reason: expect.stringContaining('field "point"'),
    });
    expect(d.lines.join('')).toContain('skipping MCP tool');

    const add = d.registry.get('ext_add')!;
    expect(add.origin).toEqual({ kind: 'mcp', server: 'ext' });
    expect(add.fields.map((f) => [f.name, f.type, f.required])).toEqual([
      ['a', 'number', true],
      ['b', 'number', true],
    ]);
    const sum = await d.registry.call('ext_add', { a: 2, b: 3 }, { caller: admin });
    expect(sum).toEqual({ content: [{ type: 'text', text: '5' }], data: { sum: 5 } });
    const pixel = await d.registry.call('ext_pixel', {}, { caller: admin });
    expect(pixel.content[0]).toMatchObject({ type: 'image', mimeType: 'image/png' });
    await expect(d.registry.call('ext_fail', {}, { caller: admin })).rejects.toThrow(
      'Tool "ext_fail" failed: disk is full',
    );
    const progress: number[] = [];
    await d.registry.call('ext_count', {}, { caller: admin, onProgress: (f) => progress.push(f) });
    expect(progress.at(-1)).toBe(1);
    // an MCP principal needs the operator's "network" grant to reach external tools
    await expect(
      d.registry.call('ext_add', { a: 1, b: 1 }, { caller: { ...admin, surface: 'mcp', grants: ['knowledge:read'] } }),
    ).rejects.toThrow(/"network"/);
  });

  it('removes the tools when the server dies and adds them back after reconnecting', async () => {
    const d = deps([{ name: 'flaky', command: process.execPath, args: [EXTERNAL], cwd: REPO, access: 'admin' }]);
    const servers = await connectMcpServers(d);
    open.push(servers);
    expect(d.registry.get('flaky_crash')).toBeDefined();
    await expect(
      d.registry.call('flaky_add', { a: 1, b: 1 }, { caller: { ...admin, isAdmin: false } }),
    ).rejects.toThrow(/admins only/);
    const changes: string[][] = [];
    d.registry.onChange((e) => changes.push(e.removed));
    await d.registry.call('flaky_crash', {}, { caller: admin });
    await until(() => changes.some((r) => r.includes('flaky_crash')));
    await until(() => d.registry.get('flaky_crash') !== undefined);
    expect(servers.status()[0]!.connected).toBe(true);
  });

  it('over Streamable HTTP, and keeps retrying a server that is not up yet', async () => {
    http = createServer(async (req, res) => {
      const server = externalServer();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => void server.close());
      await server.connect(transport);
      await transport.handleRequest(req, res);
    });
    http.keepAliveTimeout = 60_000; // a loaded CI machine must not race the client's socket reuse
    await new Promise<void>((r) => http!.listen(0, '127.0.0.1', () => r()));
    const port = (http.address() as AddressInfo).port;
    const d = deps([
      { name: 'web', url: `http://127.0.0.1:${port}/mcp`, access: 'everyone' },
      { name: 'down', url: 'http://127.0.0.1:9/mcp' },
    ]);
    const servers = await connectMcpServers(d);
    open.push(servers);
    expect((await d.registry.call('web_add', { a: 40, b: 2 }, { caller: admin })).data).toEqual({ sum: 42 });
    const down = servers.status().find((s) => s.name === 'down')!;
    expect(down.connected).toBe(false);
    expect(down.error).toBeTruthy();
    expect(d.registry.list().some((t) => t.name.startsWith('down_'))).toBe(false);
  });
});
