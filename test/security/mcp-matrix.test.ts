import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Connected, connect } from '../mcp/client.js';
import { startMatrixHearth, TOKENS } from './fixtures.js';

// The permission matrix of docs/security.md, through MCP over HTTP: each principal, each resource,
// allowed and refused. Principals: writer (knowledge:read+write), reader (knowledge:read),
// nobody (no grant), ops (admin, knowledge:read).
type Principal = 'writer' | 'reader' | 'nobody' | 'ops';
const TOKEN: Record<Principal, string> = {
  writer: TOKENS.WRITER_TOKEN,
  reader: TOKENS.READER_TOKEN,
  nobody: TOKENS.NOBODY_TOKEN,
  ops: TOKENS.OPS_TOKEN,
};

let hearth: Awaited<ReturnType<typeof startMatrixHearth>>;
const clients = {} as Record<Principal, Connected>;
const ids = {} as Record<'hours' | 'guild' | 'channel', string>;

beforeAll(async () => {
  hearth = await startMatrixHearth();
  for (const p of Object.keys(TOKEN) as Principal[]) {
    clients[p] = await connect('http', { url: hearth.server.url, token: TOKEN[p] });
  }
  const sources = await hearth.store.listSources();
  ids.hours = sources.find((s) => s.title === 'Opening hours')!.id;
  ids.guild = sources.find((s) => s.scope === 'guild')!.id;
  ids.channel = sources.find((s) => s.scope === 'channel')!.id;
}, 60_000);
afterAll(async () => {
  for (const c of Object.values(clients)) await c?.close();
  await hearth?.close();
});

const call = async (p: Principal, name: string, args: Record<string, unknown> = {}) => {
  const r = await clients[p].client.callTool({ name, arguments: args });
  const text = (r.content as { type: string; text?: string }[]).map((c) => c.text ?? '').join('\n');
  return { ok: !r.isError, text, r };
};

describe('knowledge through MCP', () => {
  it.each([
    ['writer', true],
    ['reader', true],
    ['ops', true],
    ['nobody', false],
  ] as const)('search_knowledge as %s: allowed=%s, and never another scope', async (p, allowed) => {
    const r = await call(p, 'search_knowledge', { query: 'makerspace opens weekdays guild channel sees', k: 10 });
    expect(r.ok, r.text).toBe(allowed);
    if (!allowed) return expect(r.text).toContain(`has not granted "knowledge:read" to ${p}`);
    expect(r.text).toContain('Opening hours');
    expect(r.text).not.toMatch(/Guild notes|Channel notes/);
  });

  it('ask needs knowledge:read', async () => {
    expect((await call('nobody', 'ask', { question: 'When does it open?' })).ok).toBe(false);
    expect((await call('reader', 'ask', { question: 'When does the makerspace open?' })).ok).toBe(true);
  });

  it.each(['reader', 'nobody', 'ops'] as const)('add_knowledge as %s is refused, the store unchanged', async (p) => {
    const before = (await hearth.store.listSources()).length;
    const r = await call(p, 'add_knowledge', { title: 'Spam', text: 'spam' });
    expect(r.ok).toBe(false);
    expect(r.text).toContain(`has not granted "knowledge:write" to ${p}`);
    expect(await hearth.store.listSources()).toHaveLength(before);
  });

  it.each(['reader', 'nobody', 'ops'] as const)('remove_knowledge of global knowledge as %s is refused', async (p) => {
    const r = await call(p, 'remove_knowledge', { source_id: ids.hours });
    expect(r.ok).toBe(false);
    expect(await hearth.store.getSource(ids.hours)).toBeDefined();
  });

  it('writer (the operator’s agent) adds and removes global knowledge, but cannot touch a guild’s', async () => {
    const added = await call('writer', 'add_knowledge', { title: 'Agent note', text: 'Written by the writer agent.' });
    expect(added.ok, added.text).toBe(true);
    const id = (added.r.structuredContent as { sourceId: string }).sourceId;
    expect(await hearth.store.getSource(id)).toMatchObject({ scope: 'global' });
    expect((await call('writer', 'remove_knowledge', { source_id: id })).text).toContain(`Removed ${id}`);
    for (const other of [ids.guild, ids.channel]) {
      const r = await call('writer', 'remove_knowledge', { source_id: other });
      expect(r.text).toContain(`No source "${other}"`);
      expect(await hearth.store.getSource(other)).toBeDefined();
    }
  });

  it('knowledge resources: global sources to readers, nothing to a principal without knowledge:read', async () => {
    const listed = (await clients.reader.client.listResources()).resources.map((r) => r.name);
    expect(listed).toEqual(expect.arrayContaining(['Opening hours', 'House rules']));
    expect(listed).not.toContain('Guild notes');
    const none = (await clients.nobody.client.listResources()).resources.filter((r) => r.uri.includes('knowledge'));
    expect(none).toEqual([]);
    await expect(
      clients.reader.client.readResource({ uri: `hearth://knowledge/${encodeURIComponent(ids.guild)}` }),
    ).rejects.toThrow(/No knowledge source/);
  });
});

describe('artifacts, admin tools and plugins through MCP', () => {
  it('an artifact is readable by the principal that made it and by nobody else', async () => {
    const drawn = await call('writer', 'demo_draw', { label: 'private' });
    expect(drawn.ok, drawn.text).toBe(true);
    const link = (drawn.r.content as { type: string; uri?: string }[]).find((c) => c.type === 'resource_link');
    expect(link?.uri).toMatch(/^hearth:\/\/artifacts\//);
    const own = await clients.writer.client.readResource({ uri: link!.uri! });
    expect(own.contents[0]).toMatchObject({ mimeType: 'image/png' });
    for (const p of ['reader', 'ops'] as const) {
      await expect(clients[p].client.readResource({ uri: link!.uri! })).rejects.toThrow();
      const listed = (await clients[p].client.listResources()).resources.map((r) => r.uri);
      expect(listed).not.toContain(link!.uri);
    }
  });

  it('an admin-only tool is listed and callable for the admin principal only', async () => {
    const names = async (p: Principal) => (await clients[p].client.listTools()).tools.map((t) => t.name);
    expect(await names('ops')).toContain('demo_secret');
    expect(await names('writer')).not.toContain('demo_secret');
    expect((await call('ops', 'demo_secret')).ok).toBe(true);
    // hidden from a non-admin, so it is an unknown tool to them (a JSON-RPC error, not a tool result)
    await expect(call('writer', 'demo_secret')).rejects.toThrow(/Unknown tool "demo_secret"/);
  });

  it('list_plugins is public', async () => {
    const r = await call('nobody', 'list_plugins');
    expect(r.ok, r.text).toBe(true);
    expect(r.text).toContain('demo');
  });
});
