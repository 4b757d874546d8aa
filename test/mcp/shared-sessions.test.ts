/**
 * Sessions in Redis, in one process for speed: two `startMcpHttp` instances (each its own Hearth)
 * on a private Redis behind the round-robin proxy. A server-to-client message made on the instance
 * that ran a call reaches the client's GET stream held by the other instance; a GET stream opened
 * on either instance with Last-Event-ID replays what came after; the request id of the HTTP request
 * (X-Request-Id) is the one the tool runs under; the logging level and subscriptions follow the
 * session; a deleted session is gone on both instances; while Redis is down requests get a quick 503.
 */
import { currentRequestId } from '@hearth/core';
import { defineTool } from '@hearth/sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { knowledgeUri, type McpHttpServer, startMcpHttp } from '../../packages/bot/src/mcp/index.js';
import { type PrivateRedis, startPrivateRedis } from '../scale/lib/index.js';
import { type RoundRobin, startRoundRobin } from './cluster.js';
import { adapt, testHearth } from './fixtures/hearth.js';

let redis: PrivateRedis;
let servers: McpHttpServer[] = [];
let hearths: ReturnType<typeof testHearth>[] = [];
const logs: unknown[] = [];
const updated: string[] = [];
let proxy: RoundRobin;
let client: Client;
let transport: StreamableHTTPClientTransport;
let listChanged: Promise<void>;
const requestIds: string[] = [];

const hostPort = (url: string) => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
};

beforeAll(async () => {
  redis = await startPrivateRedis();
  hearths = [0, 1].map(() => testHearth({ rateLimit: { perMinute: 60_000, burst: 1000 } }));
  servers = await Promise.all(
    hearths.map((hearth) => {
      hearth.registry.add([
        adapt(
          defineTool({
            name: 'request_id',
            description: 'The request id this call runs under',
            input: z.object({}),
            output: z.object({ id: z.string() }),
            run: async () => ({ content: [{ type: 'text', text: 'id' }], data: { id: currentRequestId() ?? '' } }),
          }),
        ),
      ]);
      return startMcpHttp(hearth, { port: 0, redisUrl: redis.url, redisPrefix: 'hearth-test' });
    }),
  );
  proxy = await startRoundRobin(servers.map((s) => hostPort(s.url)));
  client = new Client({ name: 'shared-sessions', version: '1.0.0' });
  listChanged = new Promise((resolve) =>
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => resolve()),
  );
  client.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => void logs.push(n.params.data));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, async (n) => void updated.push(n.params.uri));
  transport = new StreamableHTTPClientTransport(new URL(proxy.url), {
    // records the X-Request-Id of every response the client gets
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      const id = res.headers.get('x-request-id');
      if (id) requestIds.push(id);
      return res;
    },
  });
  await client.connect(transport);
}, 60_000);

afterAll(async () => {
  await client?.close().catch(() => {});
  await proxy?.close();
  await Promise.all(servers.map((s) => s.close()));
  await redis?.stop();
});

describe('MCP sessions shared through Redis', () => {
  it('runs a tool inside the request id its HTTP response carries as X-Request-Id', async () => {
    const r = await client.callTool({ name: 'demo_request_id', arguments: {} });
    const id = (r.structuredContent as { id: string }).id;
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(requestIds).toContain(id);
  });

  it('delivers list_changed made on the instance that ran the call to the GET stream on the other', async () => {
    const stream = proxy.hits.find((h) => h.method === 'GET');
    expect(stream?.backend, JSON.stringify(proxy.hits)).toBeGreaterThanOrEqual(0);
    const other = 1 - stream!.backend;
    proxy.force(other);
    await client.callTool({ name: 'demo_register', arguments: { name: 'later' } });
    expect(proxy.hits.filter((h) => h.method === 'tools/call').at(-1)?.backend).toBe(other);
    await listChanged;
  });

  it('replays events after Last-Event-ID on a GET stream opened at either instance', async () => {
    const sessionId = transport.sessionId!;
    for (const server of servers) {
      const abort = new AbortController();
      const res = await fetch(server.url, {
        headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'last-event-id': '0' },
        signal: abort.signal,
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
      abort.abort();
      expect(text).toMatch(/^id: 1\nevent: message\ndata: .*notifications\/tools\/list_changed/);
    }
  });

  it('keeps the logging level and subscriptions set through one instance on the other', async () => {
    proxy.force(0);
    await client.setLoggingLevel('info');
    proxy.force(1);
    await client.callTool({ name: 'demo_echo', arguments: { message: 'hi' } });
    expect(logs).toContainEqual(expect.objectContaining({ tool: 'demo_echo', ok: true }));

    const uri = 'docs/rota.md';
    const id = (await hearths[1]!.store.addText({ title: 'Rota', text: 'Cleaning on Mondays.', uri })).sourceId;
    proxy.force(0);
    await client.subscribeResource({ uri: knowledgeUri(id) });
    proxy.force(1);
    await client.listTools(); // instance 1 learns of the subscription with the session's next request there
    await hearths[1]!.store.addText({ title: 'Rota', text: 'Cleaning on Tuesdays.', uri });
    await expect.poll(() => updated, { timeout: 5000 }).toContain(knowledgeUri(id));
  });

  it('forgets a deleted session on every instance', async () => {
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    for (const server of servers) {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': sessionId,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
      });
      expect(res.status).toBe(404);
    }
  });

  it('answers 503 naming Redis while it is down, fails the readiness check, and takes new sessions once it is back', async () => {
    const sessionId = transport.sessionId!;
    await redis.stop();
    const started = Date.now();
    const res = await fetch(servers[0]!.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'the MCP session store (Redis) does not answer',
    );
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(servers[1]!.check()).rejects.toThrow();
    await redis.start();
    await expect
      .poll(
        () =>
          servers[1]!.check().then(
            () => true,
            () => false,
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
    // this Redis keeps nothing across a restart (a deployment's keeps its records with appendonly)
    const again = new Client({ name: 'after-outage', version: '1.0.0' });
    await again.connect(new StreamableHTTPClientTransport(new URL(proxy.url)));
    expect((await again.listTools()).tools.length).toBeGreaterThan(0);
    await again.close();
  });
});
