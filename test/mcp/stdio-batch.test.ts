/**
 * JSON-RPC over Hearth's stdio transport, raw: batches (answered in a 2025-03-26 session, -32600 in
 * later ones), lines that are not JSON and messages that are not JSON-RPC all get an answer, so a
 * client never waits for one that will not come.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { open, type Wire } from './wire.js';

const init = (protocolVersion: string) => ({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});
const echo = (id: number, message: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'demo_echo', arguments: { message } },
});

describe('stdio transport: batches and malformed input', () => {
  let wire: Wire | undefined;
  afterEach(() => wire?.close());

  it('answers a batch with one array in a 2025-03-26 session', async () => {
    wire = open();
    wire.send(init('2025-03-26'));
    expect((await wire.next()).result.protocolVersion).toBe('2025-03-26');
    wire.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    wire.send([echo(1, 'one'), { jsonrpc: '2.0', id: 2, method: 'ping' }, echo(3, 'three'), { nope: true }]);
    const answer = await wire.next();
    expect(Array.isArray(answer)).toBe(true);
    const byId = new Map((answer as any[]).map((a) => [a.id, a]));
    expect(byId.get(1).result.content[0].text).toBe('one');
    expect(byId.get(2).result).toEqual({});
    expect(byId.get(3).result.content[0].text).toBe('three');
    expect(byId.get(null).error.code).toBe(-32600);
    // 2025-03-26 has no structuredContent: the data comes as JSON text instead
    expect(byId.get(1).result.structuredContent).toBeUndefined();
    expect(JSON.parse(byId.get(1).result.content.at(-1).text)).toEqual({ echoed: 'one', length: 3 });
  });

  it('answers each request of a batch with -32600 in a 2025-06-18 session, and before initialize', async () => {
    wire = open();
    wire.send([echo(7, 'early')]);
    const early = await wire.next();
    expect(early[0]).toMatchObject({ id: 7, error: { code: -32600 } });
    expect(early[0].error.message).toMatch(/before initialize/);
    wire.send(init('2025-06-18'));
    await wire.next();
    wire.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    wire.send([echo(1, 'one'), echo(2, 'two')]);
    const answer = await wire.next();
    expect(answer.map((a: any) => a.id)).toEqual([1, 2]);
    for (const a of answer) expect(a.error.message).toMatch(/2025-06-18 has no JSON-RPC batches/);
    wire.send(echo(3, 'single'));
    expect((await wire.next()).result.structuredContent).toEqual({ echoed: 'single', length: 6 });
  });

  it('answers a line that is not JSON with -32700 and a non-JSON-RPC object with -32600', async () => {
    wire = open();
    wire.send('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(await wire.next()).toMatchObject({ id: null, error: { code: -32700 } });
    wire.send({ id: 5, hello: 'world' });
    expect(await wire.next()).toMatchObject({ id: 5, error: { code: -32600 } });
    wire.send([]);
    expect(await wire.next()).toMatchObject({ id: null, error: { code: -32600 } });
  });
});
