import { configSchema } from '@hearth/core';
import { describe, expect, it } from 'vitest';
import { parseListen } from '../../src/cli/commands/mcp.js';
import { HostGuard, isLoopback } from '../../src/mcp/http-guard.js';
import { RateLimiter, resolvePrincipal, TokenTable } from '../../src/mcp/identity.js';

const mcp = (input: Record<string, unknown>) => configSchema.parse({ mcp: input }).mcp;
const req = (headers: Record<string, string>) => ({ headers }) as never;

describe('hearth mcp --http parsing', () => {
  it('accepts PORT, HOST:PORT and [IPv6]:PORT, and rejects the rest', () => {
    expect(parseListen('8765')).toEqual({ host: '127.0.0.1', port: 8765 });
    expect(parseListen('0.0.0.0:80')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(parseListen('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(() => parseListen('localhost')).toThrow(/HOST:PORT/);
    expect(() => parseListen('h:70000')).toThrow(/HOST:PORT/);
  });
});

describe('MCP identity', () => {
  it('maps bearer tokens to configured principals and ignores unset token variables', () => {
    const cfg = mcp({
      principals: [
        { name: 'a', tokenEnv: 'A_TOK', permissions: ['knowledge:write'] },
        { name: 'b', tokenEnv: 'B_TOK' },
      ],
    });
    const table = new TokenTable(cfg, { A_TOK: 'secret-a-123' });
    expect(table.required).toBe(true);
    expect(table.lookup('secret-a-123')?.permissions).toEqual(['knowledge:write']);
    expect(table.lookup('secret-a-12')).toBeUndefined();
    expect(table.lookup('')).toBeUndefined();
    expect(new TokenTable(mcp({}), {}).required).toBe(false);
  });

  it('gives the unconfigured default principal only knowledge:read, and names the configured ones on a typo', () => {
    expect(resolvePrincipal(mcp({}))).toMatchObject({ name: 'local', admin: false, permissions: ['knowledge:read'] });
    expect(() => resolvePrincipal(mcp({ principals: [{ name: 'bot' }] }), 'bto')).toThrow(
      /No MCP principal named "bto".*configured: bot/,
    );
  });

  it('limits each principal to its burst, then to its rate', () => {
    const p = resolvePrincipal(mcp({ rateLimit: { perMinute: 60, burst: 2 } }));
    const limiter = new RateLimiter();
    expect([limiter.take(p, 0), limiter.take(p, 0)]).toEqual([0, 0]);
    expect(limiter.take(p, 0)).toBe(1);
    expect(limiter.take(p, 1000)).toBe(0);
  });
});

describe('DNS rebinding guard', () => {
  it('on loopback accepts localhost names on any port and refuses other hosts and origins', () => {
    const g = new HostGuard('127.0.0.1', [], []);
    expect(g.check(req({ host: 'localhost:3000' }))).toBeUndefined();
    expect(g.check(req({ host: '[::1]:3000', origin: 'http://127.0.0.1:3000' }))).toBeUndefined();
    expect(g.check(req({ host: 'evil.example.com' }))).toMatch(/Host/);
    expect(g.check(req({ host: '127.0.0.1:3000', origin: 'http://evil.example.com' }))).toMatch(/Origin/);
    expect(g.check(req({}))).toMatch(/Missing Host/);
    expect(isLoopback('127.0.0.2') && !isLoopback('10.0.0.1')).toBe(true);
  });

  it('beyond loopback accepts only the configured names and origins', () => {
    const g = new HostGuard('0.0.0.0', ['mcp.example.org'], ['https://app.example.org']);
    expect(g.check(req({ host: 'mcp.example.org' }))).toBeUndefined();
    expect(g.check(req({ host: 'mcp.example.org', origin: 'https://app.example.org' }))).toBeUndefined();
    expect(g.check(req({ host: 'other.example.org' }))).toMatch(/Host/);
  });
});
