/**
 * OAuth resource-server mode (MCP 2025-06-18 authorization) against a local authorization server
 * the test starts: Protected Resource Metadata, 401 with its location, client_credentials tokens
 * accepted and mapped to principals, and every way a token can be wrong refused.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpHttpServer, startMcpHttp } from '../../packages/bot/src/mcp/index.js';
import { type AuthServer, startAuthServer } from './fixtures/auth-server.js';
import { PRINCIPALS, testHearth } from './fixtures/hearth.js';

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});
const post = (url: string, token?: string) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: INIT,
  });

describe('OAuth resource server: bearer JWTs from a configured issuer', () => {
  let as: AuthServer;
  let server: McpHttpServer;

  /** A token from the authorization server's token endpoint, for this resource. */
  const tokenFor = async (clientId: string, secret: string) => {
    const res = await fetch(`${as.issuer}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secret,
        resource: server.url,
      }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };

  beforeAll(async () => {
    as = await startAuthServer({
      'agent-app': { secret: 's3cret-agent', sub: 'agent' },
      'ops-app': { secret: 's3cret-ops', sub: 'ops' },
      'stranger-app': { secret: 's3cret-x', sub: 'nobody' },
      'no-scope-app': { secret: 's3cret-y', sub: 'agent', scope: 'other' },
    });
    server = await startMcpHttp(testHearth(PRINCIPALS), {
      port: 0,
      env: {},
      oauth: { issuer: as.issuer, requiredScopes: ['mcp'] },
    });
  });
  afterAll(async () => {
    await server?.close();
    await as?.close();
  });

  it('publishes Protected Resource Metadata naming the authorization server', async () => {
    const origin = new URL(server.url).origin;
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const res = await fetch(origin + path);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        resource: server.url,
        authorization_servers: [as.issuer],
        bearer_methods_supported: ['header'],
        scopes_supported: ['mcp'],
      });
    }
  });

  it('answers a request without a token with 401 and where the metadata is', async () => {
    const res = await post(server.url);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain(
      `resource_metadata="${new URL(server.url).origin}/.well-known/oauth-protected-resource/mcp"`,
    );
  });

  it('accepts a client_credentials token and acts as the principal its subject names', async () => {
    const token = await tokenFor('ops-app', 's3cret-ops');
    const client = new Client({ name: 'oauth-test', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('demo_secret'); // ops is an admin principal
      const r = await client.callTool({ name: 'demo_echo', arguments: { message: 'via oauth' } });
      expect(r.structuredContent).toMatchObject({ echoed: 'via oauth' });
    } finally {
      await client.close();
    }
    expect(as.hits).toContain('/.well-known/oauth-authorization-server');
    expect(as.hits).toContain('/jwks');
  });

  it("accepts an ES256 token signed with the issuer's EC key", async () => {
    const res = await post(server.url, as.signEs256({ sub: 'agent', aud: server.url, scope: 'mcp' }));
    expect(res.status, res.status === 200 ? '' : await res.clone().text()).toBe(200);
    await res.text();
  });

  it('refuses tokens that are expired, for another audience or issuer, badly signed, or not JWTs (401)', async () => {
    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string, RegExp][] = [
      ['expired', as.sign({ sub: 'agent', aud: server.url, scope: 'mcp', exp: now - 3600 }), /expired/],
      ['audience', as.sign({ sub: 'agent', aud: 'http://other.example/mcp', scope: 'mcp' }), /not issued for/],
      [
        'issuer',
        as.sign({ sub: 'agent', aud: server.url, scope: 'mcp', iss: 'http://evil.example' }),
        /another authorization server/,
      ],
      ['signature', as.sign({ sub: 'agent', aud: server.url, scope: 'mcp' }, otherKey), /signature/],
      [
        'unknown key',
        as.sign({ sub: 'agent', aud: server.url, scope: 'mcp' }, otherKey, 'other-kid'),
        /No signing key/,
      ],
      ['not a JWT', 'opaque-token-123', /not a JWT/],
      [
        'alg none',
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`,
        /Unsupported/,
      ],
    ];
    for (const [what, token, why] of cases) {
      const res = await post(server.url, token);
      expect(res.status, what).toBe(401);
      expect(res.headers.get('www-authenticate'), what).toContain('error="invalid_token"');
      expect(((await res.json()) as { error: { message: string } }).error.message, what).toMatch(why);
    }
  });

  it('refuses a valid token without the required scope or naming no configured principal (403)', async () => {
    const noScope = await post(server.url, await tokenFor('no-scope-app', 's3cret-y'));
    expect(noScope.status).toBe(403);
    expect(noScope.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    const stranger = await post(server.url, await tokenFor('stranger-app', 's3cret-x'));
    expect(stranger.status).toBe(403);
    expect(await stranger.text()).toContain('not configured in mcp.principals');
  });
});
