import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LanceKnowledgeStore, openKnowledgeStore } from '../../src/knowledge/index.js';
import { LocalHashEmbedder } from '../../src/providers/embedders/index.js';

const TOPICS = [
  'volcano lava eruption',
  'glacier ice valley',
  'river delta flood',
  'desert dune sand',
  'forest pine moss',
];

describe('hybrid search path (what each query costs)', () => {
  let root: string;
  let store: LanceKnowledgeStore;
  let proto: Record<string, (...args: unknown[]) => unknown>;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'hearth-kn-path-'));
    store = await openKnowledgeStore({ dir: join(root, 'knowledge'), embedder: new LocalHashEmbedder() });
    for (const [i, topic] of TOPICS.entries())
      for (let j = 0; j < 6; j++)
        await store.addText({ title: `${topic} ${j}`, text: `Note ${j} about the ${topic}, item ${i * 10 + j}.` });
    const table = await store.db.openTable(store.tableName);
    proto = Object.getPrototypeOf(table);
    table.close();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await store?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('the default search (with vector feedback) runs one vector search, not a second one for the feedback round', async () => {
    const vectorSearch = vi.spyOn(proto, 'vectorSearch');
    const hits = await store.search('lava eruption of the volcano', { k: 3 });
    expect(hits[0].title).toMatch(/^volcano/);
    expect(vectorSearch).toHaveBeenCalledTimes(1);
    vectorSearch.mockRestore();
  });

  it('reads the shown columns (text, title, offsets) only for the k hits returned, by row id', async () => {
    const take = vi.spyOn(proto, 'takeRowIds');
    const hits = await store.search('glacier valley ice', { k: 4 });
    expect(hits).toHaveLength(4);
    expect(take).toHaveBeenCalledTimes(1);
    expect((take.mock.calls[0][0] as unknown[]).length).toBe(4);
    for (const h of hits) {
      expect(h.text).toContain(h.title.replace(/ \d$/, ''));
      expect(h.end ?? 0).toBeGreaterThan(h.start ?? 0);
    }
    take.mockRestore();
  });

  it('still returns the right rows when row ids moved (a concurrent optimize): read by id instead', async () => {
    // After a rewrite the old row ids point at other rows: here, always at the table's first row.
    const take = vi.spyOn(proto, 'takeRowIds').mockImplementation(function (this: unknown) {
      return proto.takeOffsets.call(this, [0]) as never;
    });
    const hits = await store.search('desert dune sand', { k: 2 });
    expect(take).toHaveBeenCalled();
    expect(hits.map((h) => h.title.replace(/ \d$/, ''))).toEqual(['desert dune sand', 'desert dune sand']);
    expect(hits.every((h) => h.text.includes('desert dune sand'))).toBe(true);
    take.mockRestore();
  });
});
