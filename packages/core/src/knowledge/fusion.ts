/** A candidate from one retriever: an id and its raw score (higher is better). */
export interface Scored {
  id: string;
  score: number;
}

/** How vector and full-text lists are combined. */
export type FusionMethod = 'rrf' | 'minmax' | 'zscore';

export interface FusionConfig {
  method: FusionMethod;
  /** Weight of the vector list (the text list gets 1 - weight); for RRF 0.5 means equal weights. */
  vectorWeight: number;
  /** The RRF constant. */
  rrfK: number;
  /**
   * Vector pseudo-relevance feedback: the query vector plus `prfWeight` times the mean vector of the top
   * `prfDocs` hits of a first fusion (weighted `prfFirstWeight`) rescores the candidates of both retrievers,
   * and that list is fused with the text list. 0 docs turns it off.
   */
  prfDocs: number;
  prfWeight: number;
  prfFirstWeight: number;
  /**
   * Hybrid hits without any full-text match are dropped when their cosine similarity to the query is below
   * this, so a query about nothing in the store returns nothing instead of the nearest noise.
   */
  minVectorScore: number;
}

/**
 * The default (docs/benchmarks/knowledge.md): z-score fusion at vector weight 0.25 with one-document vector
 * feedback. Picked in a grid (weight 0.1-0.6, 1-3 feedback documents, feedback weight 1-3) as the setting
 * whose smaller gain over BM25 alone on the PubMedQA `cv` split and on the docs QA set is largest; the
 * PubMedQA `test` split and SQuAD 2.0 were not used to choose. The former default (weight 0.6, two
 * feedback documents) gained more on PubMedQA but fell below BM25 on the docs QA set.
 */
export const DEFAULT_FUSION: FusionConfig = {
  method: 'zscore',
  vectorWeight: 0.25,
  rrfK: 60,
  prfDocs: 1,
  prfWeight: 2,
  prfFirstWeight: 0.2,
  minVectorScore: 0.15,
};

function normalise(list: Scored[], method: FusionMethod): Map<string, number> {
  const out = new Map<string, number>();
  if (list.length === 0) return out;
  if (method === 'rrf') {
    list.forEach((item, rank) => {
      out.set(item.id, 1 / (rank + 1));
    });
    return out;
  }
  const scores = list.map((s) => s.score);
  if (method === 'minmax') {
    const min = Math.min(...scores);
    const max = Math.max(...scores);
    for (const s of list) out.set(s.id, max > min ? (s.score - min) / (max - min) : 1);
    return out;
  }
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const sd = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length) || 1;
  for (const s of list) out.set(s.id, (s.score - mean) / sd);
  return out;
}

/**
 * Fuses a vector list and a text list (each sorted best first) into one ranking. An id missing from a list
 * gets that list's floor (0 for min-max, the lowest z-score, nothing for RRF).
 */
export function fuse(vector: Scored[], text: Scored[], config: FusionConfig = DEFAULT_FUSION): Scored[] {
  const v = normalise(vector, config.method);
  const t = normalise(text, config.method);
  const ids = new Set([...v.keys(), ...t.keys()]);
  const out: Scored[] = [];
  if (config.method === 'rrf') {
    const wv = config.vectorWeight * 2;
    const wt = (1 - config.vectorWeight) * 2;
    const rank = (m: Map<string, number>, id: string) =>
      m.has(id) ? 1 / (config.rrfK + 1 / (m.get(id) as number)) : 0;
    for (const id of ids) out.push({ id, score: wv * rank(v, id) + wt * rank(t, id) });
  } else {
    const floor = (m: Map<string, number>) => (config.method === 'zscore' && m.size ? Math.min(...m.values()) : 0);
    const fv = floor(v);
    const ft = floor(t);
    for (const id of ids) {
      out.push({ id, score: config.vectorWeight * (v.get(id) ?? fv) + (1 - config.vectorWeight) * (t.get(id) ?? ft) });
    }
  }
  return out.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}
