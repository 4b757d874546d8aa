/** A real knowledge store (LanceDB + SQLite catalog on disk) for fuzz targets, and its fingerprint. */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LanceKnowledgeStore, openKnowledgeStore } from '../../packages/core/src/knowledge/index.js';
import { LocalHashEmbedder } from '../../packages/core/src/providers/embedders/index.js';

/** Opens a store in a fresh folder with a few sources: global, one guild's and one channel's. */
export async function seededStore(dataDir = mkdtempSync(join(tmpdir(), 'hearth-fuzz-'))): Promise<{
  store: LanceKnowledgeStore;
  dataDir: string;
}> {
  const store = await openKnowledgeStore({ dir: join(dataDir, 'knowledge'), embedder: new LocalHashEmbedder() });
  await store.addText({ title: 'Opening hours', text: 'The makerspace opens at 9 on weekdays.', uri: 'docs/hours.md' });
  await store.addText({ title: 'House rules', text: '# Rules\n\nBe kind. No spam in #general.', uri: 'docs/rules.md' });
  await store.addText({ title: 'Guild notes', text: 'Only guild G1 sees this.' }, { scope: { guildId: 'G1' } });
  await store.addText(
    { title: 'Channel notes', text: 'Only channel C1 sees this.' },
    { scope: { guildId: 'G1', channelId: 'C1' } },
  );
  return { store, dataDir };
}

/** Record count and a SHA-256 over every source's id, scope, hash, chunk count and full text. */
export async function fingerprint(store: Pick<LanceKnowledgeStore, 'listSources' | 'getSource'>): Promise<string> {
  const sources = (await store.listSources()).sort((a, b) => a.id.localeCompare(b.id));
  const hash = createHash('sha256');
  let chunks = 0;
  for (const s of sources) {
    const full = await store.getSource(s.id);
    chunks += s.chunks;
    hash.update(
      `${s.id}\0${s.scope}\0${s.guildId ?? ''}\0${s.channelId ?? ''}\0${s.contentHash}\0${s.chunks}\0${full?.text}\n`,
    );
  }
  return `${sources.length} sources, ${chunks} chunks, sha256 ${hash.digest('hex').slice(0, 16)}`;
}
