/**
 * A reader store (`writer: false`) whose SQLite catalog is not the writer's, as on another machine sharing one
 * LanceDB uri: it sees the writer's rows, keeps guild-scoped rows to their guild, and repairs nothing at open.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openKnowledgeStore } from '../../src/knowledge/index.js';
import { LocalHashEmbedder } from '../../src/providers/embedders/index.js';

const root = mkdtempSync(join(tmpdir(), 'hearth-readers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a reader with its own catalog', () => {
  it('finds the writer’s rows but never another guild’s, though its own catalog knows no scoped source', async () => {
    const uri = join(root, 'shared-lancedb');
    const embedder = new LocalHashEmbedder();
    const writer = await openKnowledgeStore({ dir: join(root, 'machine-a'), uri, embedder, refreshSeconds: 0 });
    const reader = await openKnowledgeStore({
      dir: join(root, 'machine-b'),
      uri,
      embedder,
      refreshSeconds: 0,
      writer: false,
    });
    try {
      await writer.addText({ title: 'Public', text: 'Lanterns are lit at dusk in the harbour town.' });
      const secret = await writer.addText(
        { title: 'Guild only', text: 'Lanterns in the guild vault hide the passphrase.' },
        { scope: { guildId: 'g1' } },
      );
      expect(await reader.listSources()).toEqual([]); // its catalog is empty: another machine's
      const global = await reader.search('lanterns vault passphrase', { k: 10, scope: {} });
      expect(global.map((h) => h.title)).toEqual(['Public']);
      const guild = await reader.search('lanterns vault passphrase', { k: 10, scope: { guildId: 'g1' } });
      expect(guild.map((h) => h.sourceId)).toContain(secret.sourceId);
      const other = await reader.search('lanterns vault passphrase', { k: 10, scope: { guildId: 'g2' } });
      expect(other.map((h) => h.sourceId)).not.toContain(secret.sourceId);
    } finally {
      await reader.close();
      await writer.close();
    }
  }, 60_000);
});
