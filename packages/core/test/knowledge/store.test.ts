import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LanceKnowledgeStore, openKnowledgeStore } from '../../src/knowledge/index.js';
import { LocalHashEmbedder } from '../../src/providers/embedders/index.js';

let root: string;
let store: LanceKnowledgeStore;
const docs = () => join(root, 'docs');

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hearth-kn-'));
  mkdirSync(join(root, 'docs', 'sub'), { recursive: true });
  writeFileSync(
    join(docs(), 'cats.md'),
    '# Cats\n\nCats are small furry animals that purr.\n\n## Food\n\nCats eat fish and mice.\n',
  );
  writeFileSync(join(docs(), 'paris.txt'), 'The capital of France is Paris. Paris has the Eiffel tower.');
  writeFileSync(
    join(docs(), 'sub', 'page.html'),
    '<html><head><title>Rivers</title><script>var x=1</script></head><body><h1>Rivers</h1><p>The Nile is the longest river in Africa.</p></body></html>',
  );
  writeFileSync(
    join(docs(), 'beir.jsonl'),
    '{"_id":"d1","title":"Volcanoes","text":"Lava flows from erupting volcanoes."}\n{"_id":"d2","title":"Glaciers","text":"Glaciers carve valleys over millennia."}\n',
  );
  writeFileSync(
    join(docs(), 'planets.csv'),
    'id,name,fact\np1,Mars,Mars is the red planet\np2,Venus,Venus is the hottest planet\n',
  );
  writeFileSync(join(docs(), 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]));
  writeFileSync(join(docs(), 'empty.txt'), '');
  writeFileSync(join(docs(), 'broken.json'), '{"a": ');
  store = await openKnowledgeStore({ dir: join(root, 'knowledge'), embedder: new LocalHashEmbedder() });
});

afterAll(async () => {
  await store?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('knowledge store', () => {
  it('ingests a folder of mixed formats and reports what it skipped and why', async () => {
    const progress: number[] = [];
    const report = await store.ingest([docs(), join(root, 'missing.md')], {
      onProgress: (done) => progress.push(done),
    });
    expect(report.added.map((a) => a.uri.split('/').pop()).sort()).toEqual([
      'beir.jsonl',
      'cats.md',
      'page.html',
      'paris.txt',
      'planets.csv',
    ]);
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.uri.split('/').pop(), s.reason]));
    expect(reasons).toEqual({
      'missing.md': 'fetch error',
      'image.png': 'unsupported type',
      'empty.txt': 'empty',
      'broken.json': 'parse error',
    });
    expect(progress.at(-1)).toBe(8);
  });

  it('finds chunks with their heading path, offsets and source', async () => {
    const [hit] = await store.search('what do cats eat', { k: 3 });
    expect(hit.text).toContain('Cats eat fish');
    expect(hit.headingPath).toEqual(['Cats', 'Food']);
    const source = await store.getSource(hit.sourceId);
    expect(source?.text.slice(hit.start, hit.end)).toBe(hit.text);
    const [river] = await store.search('longest river in Africa', { k: 1 });
    expect(river.title).toBe('Rivers');
    expect(river.text).not.toContain('var x');
  });

  it('returns nothing for a query about nothing in the store', async () => {
    expect(await store.search('qqqq zzzz', { k: 5 })).toEqual([]);
  });

  it('keeps BEIR ids and CSV ids as document ids', async () => {
    const [lava] = await store.searchDetailed('erupting volcano lava', { k: 1 });
    expect(lava.docId).toBe('d1');
    expect(lava.title).toBe('Volcanoes');
    const [venus] = await store.searchDetailed('hottest planet', { k: 1 });
    expect(venus.docId).toBe('p2');
  });

  it('writes nothing for unchanged sources and replaces exactly the chunks of a changed one', async () => {
    const before = await store.listSources();
    const again = await store.ingest([docs()]);
    expect(again.added).toEqual([]);
    expect(again.changed).toEqual([]);
    expect(again.unchanged).toHaveLength(5);
    const rows = await store.embedderTableCount();
    writeFileSync(join(docs(), 'paris.txt'), 'The capital of Italy is Rome. Rome has the Colosseum.');
    const changed = await store.ingest([join(docs(), 'paris.txt')]);
    expect(changed.changed).toHaveLength(1);
    expect(await store.embedderTableCount()).toBe(rows);
    const hits = await store.search('Eiffel tower Paris', { k: 10 });
    expect(hits.some((h) => h.text.includes('Eiffel'))).toBe(false);
    expect((await store.search('Colosseum', { k: 1 }))[0].text).toContain('Rome');
    expect((await store.listSources()).map((s) => s.addedAt)).toEqual(before.map((s) => s.addedAt));
  });

  it('never shows one guild the private sources of another', async () => {
    await store.addText({ title: 'g1 secret', text: 'The g1 password is swordfish.' }, { scope: { guildId: 'g1' } });
    await store.addText({ title: 'g2 secret', text: 'The g2 password is marlin.' }, { scope: { guildId: 'g2' } });
    await store.addText(
      { title: 'c1 note', text: 'Channel c1 password is tuna.' },
      { scope: { guildId: 'g1', channelId: 'c1' } },
    );
    const texts = async (scope?: { guildId?: string; channelId?: string }) =>
      (await store.search('password', { k: 50, scope })).map((h) => h.text).join(' ');
    const g1 = await texts({ guildId: 'g1' });
    expect(g1).toContain('swordfish');
    expect(g1).not.toContain('marlin');
    expect(g1).not.toContain('tuna');
    const c1 = await texts({ guildId: 'g1', channelId: 'c1' });
    expect(c1).toContain('tuna');
    expect(c1).toContain('swordfish');
    expect(c1).not.toContain('marlin');
    const g2 = await texts({ guildId: 'g2', channelId: 'c1' });
    expect(g2).toContain('marlin');
    expect(g2).not.toContain('swordfish');
    expect(g2).not.toContain('tuna');
    const global = await texts(undefined);
    expect(global).not.toMatch(/swordfish|marlin|tuna/);
    expect((await store.listSources({ guildId: 'g2' })).map((s) => s.title)).not.toContain('g1 secret');
  });

  it('addText is idempotent and removeSource removes the chunks', async () => {
    const first = await store.addText({ title: 'memo', text: 'Quarterly memo about llamas.' });
    const second = await store.addText({ title: 'memo', text: 'Quarterly memo about llamas.' });
    expect(first.status).toBe('added');
    expect(second).toEqual({ ...first, status: 'unchanged' });
    const events: string[] = [];
    const off = store.onChange((e) => events.push(`${e.kind}:${e.sourceId}`));
    expect(await store.removeSource(first.sourceId)).toBe(true);
    expect(await store.removeSource(first.sourceId)).toBe(false);
    off();
    expect(events).toEqual([`removed:${first.sourceId}`]);
    expect((await store.search('llamas', { k: 20 })).some((h) => h.text.includes('llamas'))).toBe(false);
    expect(await store.getSource(first.sourceId)).toBeUndefined();
  });

  it('filters by source', async () => {
    const cats = (await store.listSources()).find((s) => s.title === 'Cats');
    const hits = await store.searchDetailed('planet food animals', {
      k: 5,
      filter: { sourceIds: [cats?.id as string] },
    });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.sourceId === cats?.id)).toBe(true);
  });

  it('reindexes into another embedder table and keeps answering', async () => {
    const progress: number[] = [];
    const result = await store.reindex('local:small', { onProgress: (d) => progress.push(d) });
    expect(store.tableName).toContain('256');
    expect(result.sources).toBe((await store.listSources()).length);
    expect(progress.length).toBe(result.sources);
    expect((await store.search('what do cats eat', { k: 1 }))[0].text).toContain('fish');
  });
});
