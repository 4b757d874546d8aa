import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpHttpServer, startMcpHttp } from '../../packages/bot/src/mcp/index.js';
import { connect } from './client.js';
import { PRINCIPALS, testHearth } from './fixtures/hearth.js';

const TOKENS = { TEST_AGENT_TOKEN: 'agent-token-123456', TEST_READER_TOKEN: 'reader-token-123456' };
const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};

/** A raw POST (node:http, so Host can be forged like a DNS-rebinding page would). */
function post(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
      },
      (res) => {
        let data = '';
        res.on('data', (c) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('Streamable HTTP security: DNS rebinding, bearer principals, limits', () => {
  let server: McpHttpServer;
  const auth = { Authorization: `Bearer ${TOKENS.TEST_AGENT_TOKEN}` };
  beforeAll(async () => {
    server = await startMcpHttp(testHearth({ ...PRINCIPALS, http: { maxBodyBytes: 64 * 1024, maxSessions: 20 } }), {
      port: 0,
      env: TOKENS,
    });
  });
  afterAll(() => server.close());

  it('refuses a foreign Host or Origin with 403 and accepts localhost', async () => {
    const port = new URL(server.url).port;
    const evil = await post(
      server.url,
      { ...auth, Host: 'evil.example.com', Origin: 'http://evil.example.com' },
      JSON.stringify(INIT),
    );
    expect(evil.status).toBe(403);
    expect(evil.body).toContain('evil.example.com');
    const evilOrigin = await post(server.url, { ...auth, Origin: 'http://evil.example.com' }, JSON.stringify(INIT));
    expect(evilOrigin.status).toBe(403);
    const ok = await post(
      server.url,
      { ...auth, Host: `localhost:${port}`, Origin: `http://localhost:${port}` },
      JSON.stringify(INIT),
    );
    expect(ok.status).toBe(200);
  });

  it('requires a configured bearer token and never echoes it', async () => {
    const none = await post(server.url, {}, JSON.stringify(INIT));
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await post(server.url, { Authorization: 'Bearer not-a-token-at-all' }, JSON.stringify(INIT));
    expect(wrong.status).toBe(401);
    expect(wrong.body).not.toContain('not-a-token');
  });

  it('refuses bodies over the limit with 413 and unknown sessions with 404', async () => {
    const big = await post(server.url, auth, JSON.stringify({ ...INIT, pad: 'x'.repeat(70 * 1024) }));
    expect(big.status).toBe(413);
    const unknown = await post(
      server.url,
      { ...auth, 'mcp-session-id': 'nope' },
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
    );
    expect(unknown.status).toBe(404);
    const noSession = await post(server.url, auth, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }));
    expect(noSession.status).toBe(400);
  });

  it("does not let one principal use another's session", async () => {
    const agent = await connect('http', { url: server.url, token: TOKENS.TEST_AGENT_TOKEN });
    try {
      const sessionId = (agent.client.transport as { sessionId?: string }).sessionId!;
      const stolen = await post(
        server.url,
        {
          Authorization: `Bearer ${TOKENS.TEST_READER_TOKEN}`,
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-06-18',
        },
        JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
      );
      expect(stolen.status).toBe(404);
      expect((await agent.client.listTools()).tools.length).toBeGreaterThan(5);
    } finally {
      await agent.close();
    }
  });

  it("applies each principal's rate limit across its sessions", async () => {
    const a = await connect('http', { url: server.url, token: TOKENS.TEST_READER_TOKEN });
    const b = await connect('http', { url: server.url, token: TOKENS.TEST_READER_TOKEN });
    try {
      const results = [];
      for (const c of [a, b, a, b])
        results.push(await c.client.callTool({ name: 'demo_echo', arguments: { message: 'x' } }));
      expect(results.slice(0, 3).every((r) => !r.isError)).toBe(true);
      expect(results[3]!.isError).toBe(true);
      expect(JSON.stringify(results[3]!.content)).toContain('Rate limit of principal \\"reader\\" reached');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('closes sessions on DELETE and refuses to bind beyond loopback without a token', async () => {
    const c = await connect('http', { url: server.url, token: TOKENS.TEST_AGENT_TOKEN });
    const before = server.sessionCount();
    await (c.client.transport as unknown as { terminateSession(): Promise<void> }).terminateSession();
    await c.close();
    expect(server.sessionCount()).toBe(before - 1);
    await expect(startMcpHttp(testHearth(), { host: '0.0.0.0', port: 0, env: {} })).rejects.toThrow(
      /without authentication/,
    );
  });
});
