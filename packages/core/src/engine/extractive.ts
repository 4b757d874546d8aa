import type { NumberedSource } from './sources.js';
import { contentTerms, proseOf, sentences } from './text.js';

/** How many sentences an extractive answer quotes. */
const MAX_SENTENCES = 3;

/** The reply when retrieval found nothing relevant. */
export const NOT_COVERED_TEXT =
  'The knowledge base does not cover this. Add a document about it (`hearth ingest <file>`, or the add_knowledge tool) and ask again.';

/**
 * A grounded answer without a generative model: the source sentences that share the most question
 * terms (weighted by how rare each term is among the candidates), each followed by its citation.
 */
export function extractiveAnswer(question: string, sources: NumberedSource[]): string {
  const terms = new Set(contentTerms(question));
  const candidates = sources.flatMap(({ n, hit }, rank) =>
    sentences(proseOf(hit.text)).map((text, position) => ({
      n,
      rank,
      position,
      text,
      terms: new Set(contentTerms(text)),
    })),
  );
  const df = new Map<string, number>();
  for (const c of candidates) for (const t of c.terms) if (terms.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
  const scored = candidates
    .map((c) => {
      let score = 0;
      for (const t of terms) if (c.terms.has(t)) score += Math.log(1 + candidates.length / (df.get(t) ?? 1));
      // prefer higher-ranked sources and earlier sentences on ties; damp very long sentences
      return { ...c, score: score / Math.sqrt(Math.max(8, c.terms.size) / 8) - c.rank * 0.01 - c.position * 0.001 };
    })
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_SENTENCES);
  if (!scored.length) return NOT_COVERED_TEXT;
  // keep reading order within a source so the answer flows
  scored.sort((a, b) => a.rank - b.rank || a.position - b.position);
  const body = scored.map((s) => `${s.text.replace(/\s+$/, '')} [${s.n}]`).join(' ');
  return `From the knowledge base: ${body}`;
}
