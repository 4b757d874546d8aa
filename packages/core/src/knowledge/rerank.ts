import { words } from '../providers/embedders/hashing.js';
import type { ScoredRow } from './chunk-table.js';
import type { Scored } from './fusion.js';

/**
 * A local reranker: re-scores the top candidates by how much of the query they cover (each query term
 * weighted by its rarity among the candidates) and by query word pairs found in order, blended with the
 * first-stage score. No model, no download.
 */
export function rerankLocal(query: string, ranked: Scored[], rows: Map<string, ScoredRow>, depth = 50): Scored[] {
  const head = ranked.slice(0, depth);
  const terms = [...new Set(words(query).filter((w) => w.length > 2))];
  if (terms.length === 0 || head.length < 2) return ranked;
  const docs = head.map((c) => new Set(words(`${rows.get(c.id)?.title ?? ''} ${rows.get(c.id)?.text ?? ''}`)));
  const idf = terms.map((t) => Math.log(1 + head.length / (1 + docs.filter((d) => d.has(t)).length)));
  const idfSum = idf.reduce((a, b) => a + b, 0) || 1;
  const pairs = terms.slice(1).map((t, i) => `${terms[i]} ${t}`);
  const maxFirst = Math.max(...head.map((c) => c.score));
  const minFirst = Math.min(...head.map((c) => c.score));
  const rescored = head.map((c, i) => {
    const coverage = terms.reduce((a, t, j) => a + (docs[i].has(t) ? idf[j] : 0), 0) / idfSum;
    const text = ` ${words(rows.get(c.id)?.text ?? '').join(' ')} `;
    const phrase = pairs.length ? pairs.filter((p) => text.includes(` ${p} `)).length / pairs.length : 0;
    const first = maxFirst > minFirst ? (c.score - minFirst) / (maxFirst - minFirst) : 1;
    return { id: c.id, score: 0.6 * first + 0.3 * coverage + 0.1 * phrase };
  });
  rescored.sort((a, b) => b.score - a.score);
  return [...rescored, ...ranked.slice(depth)];
}
