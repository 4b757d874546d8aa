/**
 * Params that fail the MCP SDK's own request schemas: the SDK alone answers -32603 Internal error
 * with the raw zod issue list; Hearth answers -32602 Invalid params naming the bad field.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { describeIssues } from '../../packages/bot/src/mcp/invalid-params.js';
import { open, type Wire } from './wire.js';

const init = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

describe('params that fail the SDK schemas', () => {
  let wire: Wire | undefined;
  afterEach(() => wire?.close());

  it('answers -32602 with a sentence naming the field, and the session goes on', async () => {
    wire = open();
    wire.send(init);
    expect((await wire.next()).result.protocolVersion).toBeDefined();
    wire.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    wire.send({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: {} });
    const bad = await wire.next();
    expect(bad.id).toBe(1);
    expect(bad.error.code).toBe(-32602);
    expect(bad.error.message).toMatch(/^Invalid params: uri: /);
    expect(bad.error.message).not.toContain('"code"');
    wire.send({ jsonrpc: '2.0', id: 2, method: 'logging/setLevel', params: { level: 'loudest' } });
    const level = await wire.next();
    expect(level.error.code).toBe(-32602);
    expect(level.error.message).toMatch(/^Invalid params: level: /);
    // a well-formed request still works afterwards
    wire.send({ jsonrpc: '2.0', id: 3, method: 'tools/list' });
    expect((await wire.next()).result.tools.length).toBeGreaterThan(0);
  });

  it('an initialize without protocolVersion is invalid params too', async () => {
    wire = open();
    wire.send({ jsonrpc: '2.0', id: 7, method: 'initialize', params: { capabilities: {} } });
    const bad = await wire.next();
    expect(bad.error.code).toBe(-32602);
    expect(bad.error.message).toMatch(/protocolVersion/);
  });

  it('describes at most five issues, then counts the rest', () => {
    const issues = Array.from({ length: 7 }, (_, i) => ({ path: ['a', i], message: 'bad' }));
    expect(describeIssues(issues)).toBe('Invalid params: a.0: bad; a.1: bad; a.2: bad; a.3: bad; a.4: bad; and 2 more');
  });
});
