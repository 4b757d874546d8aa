import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@lancedb/lancedb';
import { afterAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../src/knowledge/catalog.js';
import { ChunkTable } from '../../src/knowledge/chunk-table.js';
import { openKnowledgeStore, tableNameFor } from '../../src/knowledge/index.js';
import { LocalHashEmbedder } from '../../src/providers/embedders/index.js';

const root = mkdtempSync(join(tmpdir(), 'hearth-recover-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('recovery of half-finished writes', () => {
  it('drops rows appended without a catalog commit and removes rows of sources deleted mid-way', async () => {
    const dir = join(root, 'knowledge');
    const embedder = new LocalHashEmbedder();
    const store = await openKnowledgeStore({ dir, embedder });
    const kept = await store.addText({ title: 'kept', text: 'Apples are red.' });
    const removed = await store.addText({ title: 'gone', text: 'Bananas are yellow.' });
    const rowsBefore = await store.embedderTableCount();
    await store.close();

    // Simulate a process killed right after a LanceDB append (step 2) and one killed after the catalog
    // delete of a source but before its rows were removed.
    const catalog = new Catalog(join(dir, 'catalog.sqlite'));
    const db = await connect(join(dir, 'lancedb'));
    const table = await ChunkTable.open(db, tableNameFor(embedder), embedder.dimension);
    catalog.addPending(table.name, [{ sourceId: kept.sourceId, generation: 'half-written' }]);
    const [vector] = await embedder.embed(['Apples are green.']);
    await table.add([
      {
        id: 'x',
        source_id: kept.sourceId,
        doc_id: '0',
        title: 'kept',
        text: 'Apples are green.',
        fts_text: 'Apples are green.',
        heading: '[]',
        char_start: 0,
        char_end: 17,
        chunk_hash: 'h',
        generation: 'half-written',
        scope: 'global',
        guild_id: '',
        channel_id: '',
        uri: 'text:x',
        vector,
      },
    ]);
    catalog.deleteSource(removed.sourceId);
    expect(await table.count()).toBe(rowsBefore + 1);
    table.close();
    catalog.close();

    const reopened = await openKnowledgeStore({ dir, embedder });
    try {
      expect(await reopened.embedderTableCount()).toBe(rowsBefore - removed.chunks);
      const texts = (await reopened.search('apples bananas green yellow', { k: 10 })).map((h) => h.text);
      expect(texts).toEqual(['Apples are red.']);
      expect((await reopened.listSources()).map((s) => s.title)).toEqual(['kept']);
    } finally {
      await reopened.close();
    }
  });
});
