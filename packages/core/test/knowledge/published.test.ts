/**
 * With PostgreSQL configured, readers on other machines list what the one ingest writer holds: the
 * writer publishes its source list to the shared database, readers list and read sources from it.
 * (Runs on both engines: the same statements serve SQLite.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openKnowledgeStore } from '../../src/knowledge/index.js';
import { LocalHashEmbedder } from '../../src/providers/embedders/index.js';
import { ENGINES, type EngineFixture, engineFixture } from '../storage/engines.js';

describe.each(ENGINES)('the published source list on %s', (engine) => {
  let fx: EngineFixture;
  let root: string;
  afterEach(async () => {
    await fx.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  it('readers with their own catalogs list and read the writer’s sources, scoped, and see removals', async () => {
    fx = engineFixture(engine);
    root = mkdtempSync(join(tmpdir(), 'hearth-published-'));
    const uri = join(root, 'shared-lancedb');
    const embedder = new LocalHashEmbedder();
    const [a, b] = [await fx.open(), await fx.open()]; // two processes' connections
    const open = (dir: string, writer: boolean, shared = writer ? a.sql : b.sql) =>
      openKnowledgeStore({ dir: join(root, dir), uri, embedder, refreshSeconds: 0, writer, shared });
    let writer = await open('machine-a', true);
    const reader = await open('machine-b', false);
    try {
      const pub = await writer.addText({ title: 'Harbour', text: 'Lanterns are lit at dusk in the harbour town.' });
      const vault = await writer.addText(
        { title: 'Vault', text: 'The guild vault opens with the word ember.' },
        { scope: { guildId: 'g1' } },
      );
      const listed = await reader.listSources();
      expect(listed.map((s) => s.title).sort()).toEqual(['Harbour', 'Vault']);
      expect(listed.find((s) => s.id === pub.sourceId)?.chunks).toBe(pub.chunks);
      expect((await reader.listSources({ guildId: 'g2' })).map((s) => s.title)).toEqual(['Harbour']);
      expect((await reader.listSources({ guildId: 'g1' })).map((s) => s.title).sort()).toEqual(['Harbour', 'Vault']);
      expect((await reader.getSource(vault.sourceId))?.text).toContain('ember');
      expect(await writer.listSources()).toEqual(await reader.listSources());

      expect(await writer.removeSource(vault.sourceId)).toBe(true);
      expect((await reader.listSources()).map((s) => s.title)).toEqual(['Harbour']);
      expect(await reader.getSource(vault.sourceId)).toBeUndefined();

      // a row the writer's catalog does not hold (published by a writer since replaced) goes at its next open
      await a.sql.run(
        'INSERT INTO knowledge_sources (id, title, uri, scope, chunks, content_hash, added_at, text, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        ['stale', 'Stale', 'text:stale', 'global', 1, 'h', '2020-01-01T00:00:00.000Z', 'old', 1],
      );
      expect((await reader.listSources()).map((s) => s.id)).toContain('stale');
      const stamp = () =>
        a.sql.get<{ updated_at: number }>('SELECT updated_at FROM knowledge_sources WHERE id = $1', [pub.sourceId]);
      const before = await stamp();
      await writer.close();
      writer = await open('machine-a', true);
      expect((await reader.listSources()).map((s) => s.title)).toEqual(['Harbour']);
      // an unchanged source is not written again when the writer reopens (no text re-sent at start)
      expect(await stamp()).toEqual(before);
    } finally {
      await reader.close();
      await writer.close();
    }
  }, 90_000);
});
