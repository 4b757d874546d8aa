import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Caller, type Logger, PERMISSIONS } from '@hearth/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addKnowledgeTool, removeKnowledgeTool } from '../../src/builtins/knowledge.js';
import { type LanceKnowledgeStore, openKnowledgeStore } from '../../src/knowledge/index.js';
import { registeredTool } from '../../src/plugins/adapt.js';
import { ToolRegistry } from '../../src/plugins/registry.js';
import { LocalHashEmbedder } from '../../src/providers/embedders/index.js';
import { knowledgeApi } from '../../src/services/plugin-services.js';
import { makePdf } from '../knowledge/pdf.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const adminOf = (guildId: string): Caller => ({
  surface: 'discord',
  userId: `admin-${guildId}`,
  guildId,
  channelId: `${guildId}-general`,
  roles: [],
  isAdmin: true,
});
const memberOf = (guildId: string): Caller => ({ ...adminOf(guildId), userId: `member-${guildId}`, isAdmin: false });
const writer: Caller = {
  surface: 'mcp',
  userId: 'ops',
  roles: [],
  isAdmin: false,
  grants: ['knowledge:read', 'knowledge:write'],
};

let root: string;
let store: LanceKnowledgeStore;
const registry = new ToolRegistry();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hearth-access-'));
  store = await openKnowledgeStore({ dir: join(root, 'knowledge'), embedder: new LocalHashEmbedder() });
  registry.add(
    [addKnowledgeTool(store), removeKnowledgeTool(store)].map((tool) =>
      registeredTool({
        tool,
        name: tool.name,
        origin: { kind: 'builtin' },
        ownerId: 'core',
        granted: new Set(PERMISSIONS),
        defaultTimeoutMs: 30_000,
        services: () => ({}) as never,
        log: () => silent,
      }),
    ),
  );
});
afterAll(async () => {
  await store?.close();
  rmSync(root, { recursive: true, force: true });
});

let globalId: string;
let guildA: string;
let guildB: string;
beforeEach(async () => {
  for (const s of await store.listSources()) await store.removeSource(s.id);
  globalId = (await store.addText({ title: 'Operator handbook', text: 'Global rules for everyone.' })).sourceId;
  guildA = (await store.addText({ title: 'A notes', text: 'Guild A only.' }, { scope: { guildId: 'A' } })).sourceId;
  guildB = (await store.addText({ title: 'B notes', text: 'Guild B only.' }, { scope: { guildId: 'B' } })).sourceId;
});

const ids = async () => (await store.listSources()).map((s) => s.id).sort();

describe('hole 1: a guild admin cannot delete global knowledge', () => {
  it('remove_knowledge refuses a global source to a Discord guild admin and keeps it', async () => {
    await expect(registry.call('remove_knowledge', { source_id: globalId }, { caller: adminOf('A') })).rejects.toThrow(
      /it is global knowledge, shared by every server; only the operator may remove it/,
    );
    expect(await ids()).toContain(globalId);
  });
  it('another guild’s source is absent, the own guild’s source goes', async () => {
    const other = await registry.call('remove_knowledge', { source_id: guildB }, { caller: adminOf('A') });
    expect(other.data).toEqual({ removed: false });
    const own = await registry.call('remove_knowledge', { source_id: guildA }, { caller: adminOf('A') });
    expect(own.data).toEqual({ removed: true });
    expect(await ids()).toEqual([globalId, guildB].sort());
  });
  it('an MCP principal granted knowledge:write (the operator’s agent) may remove global knowledge', async () => {
    const r = await registry.call('remove_knowledge', { source_id: globalId }, { caller: writer });
    expect(r.data).toEqual({ removed: true });
  });
});

describe('hole 2: ctx.knowledge.remove follows the caller’s rights', () => {
  it('an admin of guild A cannot remove guild B’s or global sources through a plugin', async () => {
    const api = knowledgeApi(store, adminOf('A'));
    expect(await api.remove(guildB)).toBe(false);
    await expect(api.remove(globalId)).rejects.toThrow(/global knowledge; only the operator may remove it/);
    expect(await api.remove(guildA)).toBe(true);
    expect(await ids()).toEqual([globalId, guildB].sort());
  });
  it('a member cannot remove or add through a plugin either', async () => {
    const api = knowledgeApi(store, memberOf('A'));
    await expect(api.remove(guildA)).rejects.toThrow(/only by its server's admins/);
    await expect(api.add({ title: 't', text: 'x' })).rejects.toThrow(/Only this server's admins/);
    expect(await ids()).toHaveLength(3);
  });
});

describe('hole 4: uploads go through the loaders', () => {
  const file = (name: string, mimeType: string, bytes: Uint8Array | string) => ({
    name,
    mimeType,
    data: Buffer.from(bytes).toString('base64'),
  });
  it('stores a PDF upload’s text, not its bytes', async () => {
    const pdf = makePdf('Glaciers carve valleys over millennia');
    const r = await registry.call(
      'add_knowledge',
      { title: 'Report', file: file('report.pdf', 'application/pdf', pdf) },
      { caller: adminOf('A') },
    );
    const stored = await store.getSource((r.data as { sourceId: string }).sourceId);
    expect(stored?.text).toContain('Glaciers carve valleys over millennia');
    expect(stored?.text).not.toContain('%PDF');
    expect(stored).toMatchObject({ scope: 'guild', guildId: 'A' });
  });
  it('stores HTML without tags or scripts', async () => {
    const html =
      '<html><head><title>T</title><script>steal()</script></head><body><h1>Rules</h1><p>Be <b>kind</b>.</p></body></html>';
    const r = await registry.call(
      'add_knowledge',
      { title: 'Rules', file: file('rules.html', 'text/html', html) },
      { caller: adminOf('A') },
    );
    const stored = await store.getSource((r.data as { sourceId: string }).sourceId);
    expect(stored?.text).toContain('Be kind.');
    expect(stored?.text).not.toMatch(/<b>|steal\(\)/);
  });
  it('refuses an unreadable upload with the loader’s reason', async () => {
    await expect(
      registry.call(
        'add_knowledge',
        { title: 'Bad', file: file('bad.pdf', 'application/pdf', '%PDF-1.4 garbage') },
        { caller: adminOf('A') },
      ),
    ).rejects.toThrow(/Could not read "bad\.pdf" \(parse error\): unreadable PDF/);
    await expect(
      registry.call(
        'add_knowledge',
        { title: 'Pic', file: file('x.exe', 'application/x-msdownload', 'MZ') },
        { caller: adminOf('A') },
      ),
    ).rejects.toThrow(/Could not read "x\.exe" \(unsupported type\)/);
  });
});
