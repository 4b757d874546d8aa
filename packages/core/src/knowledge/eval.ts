import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Embedder } from '../providers/types.js';
import type { FusionConfig } from './fusion.js';
import { LanceKnowledgeStore, type SearchOptions } from './store.js';

/** A BEIR query. */
export interface BeirQuery {
  id: string;
  text: string;
  metadata?: Record<string, unknown>;
}

/** query id -> corpus id -> relevance grade. */
export type Qrels = Map<string, Map<string, number>>;

/** Retrieval quality and timing, with the keys `hearth eval retrieval --json` prints. */
export interface RetrievalMetrics {
  ndcg_at_10: number;
  recall_at_10: number;
  recall_at_100: number;
  mrr_at_10: number;
  queries: number;
  seconds: number;
  ingest_seconds?: number;
  query_ms_p50?: number;
  query_ms_p95?: number;
}

export function loadQueries(path: string): BeirQuery[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((line, i) => {
      const q = JSON.parse(line) as { _id?: unknown; text?: unknown; metadata?: Record<string, unknown> };
      if (q._id === undefined || typeof q.text !== 'string')
        throw new Error(`${path} line ${i + 1}: expected {"_id", "text"}`);
      return { id: String(q._id), text: q.text, metadata: q.metadata };
    });
}

/** Reads a BEIR qrels TSV (`query-id corpus-id score`, header optional). */
export function loadQrels(path: string): Qrels {
  const qrels: Qrels = new Map();
  for (const [i, line] of readFileSync(path, 'utf8').split('\n').entries()) {
    const cols = line.trim().split(/\t| +/);
    if (cols.length < 3 || (i === 0 && Number.isNaN(Number(cols[2])))) continue;
    const score = Number(cols[2]);
    if (Number.isNaN(score)) throw new Error(`${path} line ${i + 1}: score is not a number`);
    if (!qrels.has(cols[0])) qrels.set(cols[0], new Map());
    (qrels.get(cols[0]) as Map<string, number>).set(cols[1], score);
  }
  return qrels;
}

/** Per-query metrics of one ranking (document ids, best first). */
export function scoreRanking(
  ranking: string[],
  relevant: Map<string, number>,
): { ndcg10: number; recall10: number; recall100: number; mrr10: number } {
  const positives = [...relevant.entries()].filter(([, g]) => g > 0);
  if (positives.length === 0) return { ndcg10: 0, recall10: 0, recall100: 0, mrr10: 0 };
  let dcg = 0;
  ranking.slice(0, 10).forEach((id, i) => {
    dcg += (relevant.get(id) ?? 0) / Math.log2(i + 2);
  });
  const ideal = positives
    .map(([, g]) => g)
    .sort((a, b) => b - a)
    .slice(0, 10)
    .reduce((a, g, i) => a + g / Math.log2(i + 2), 0);
  const hits = (n: number) => ranking.slice(0, n).filter((id) => (relevant.get(id) ?? 0) > 0).length / positives.length;
  const first = ranking.slice(0, 10).findIndex((id) => (relevant.get(id) ?? 0) > 0);
  return {
    ndcg10: ideal ? dcg / ideal : 0,
    recall10: hits(10),
    recall100: hits(100),
    mrr10: first >= 0 ? 1 / (first + 1) : 0,
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs every query with qrels against a store and averages the metrics. */
export async function evaluateStore(
  store: LanceKnowledgeStore,
  queries: BeirQuery[],
  qrels: Qrels,
  options: Omit<SearchOptions, 'k'> & { depth?: number } = {},
): Promise<RetrievalMetrics & { perQuery: Map<string, number> }> {
  const judged = queries.filter((q) => qrels.has(q.id));
  const depth = options.depth ?? 100;
  const sums = { ndcg10: 0, recall10: 0, recall100: 0, mrr10: 0 };
  const times: number[] = [];
  const perQuery = new Map<string, number>();
  const started = performance.now();
  for (const q of judged) {
    const t0 = performance.now();
    const hits = await store.searchDetailed(q.text, { ...options, k: depth });
    times.push(performance.now() - t0);
    const ranking = [...new Set(hits.map((h) => h.docId))];
    const m = scoreRanking(ranking, qrels.get(q.id) as Map<string, number>);
    perQuery.set(q.id, m.ndcg10);
    for (const key of Object.keys(sums) as (keyof typeof sums)[]) sums[key] += m[key];
  }
  const n = judged.length || 1;
  return {
    ndcg_at_10: sums.ndcg10 / n,
    recall_at_10: sums.recall10 / n,
    recall_at_100: sums.recall100 / n,
    mrr_at_10: sums.mrr10 / n,
    queries: judged.length,
    seconds: (performance.now() - started) / 1000,
    query_ms_p50: percentile(times, 50),
    query_ms_p95: percentile(times, 95),
    perQuery,
  };
}

/**
 * `hearth eval retrieval`: ingests a BEIR corpus into a fresh temporary store (or `dir`), runs the queries and
 * returns the metrics. `seconds` covers ingest and queries.
 */
export async function evaluateBeir(options: {
  corpus: string;
  queries: string;
  qrels: string;
  embedder: Embedder;
  dir?: string;
  mode?: SearchOptions['mode'];
  fusion?: Partial<FusionConfig>;
  rerank?: boolean;
  querySplit?: string;
  onProgress?: (done: number, total: number, label?: string) => void;
}): Promise<RetrievalMetrics> {
  const started = performance.now();
  const temp = options.dir ? undefined : mkdtempSync(join(tmpdir(), 'hearth-eval-'));
  const store = await LanceKnowledgeStore.open({ dir: options.dir ?? (temp as string), embedder: options.embedder });
  try {
    const report = await store.ingest([options.corpus], { onProgress: options.onProgress });
    if (report.skipped.length)
      throw new Error(`corpus not ingested: ${report.skipped[0].reason} (${report.skipped[0].detail ?? ''})`);
    const ingestSeconds = (performance.now() - started) / 1000;
    let queries = loadQueries(options.queries);
    if (options.querySplit) queries = queries.filter((q) => q.metadata?.split === options.querySplit);
    const { perQuery: _p, ...metrics } = await evaluateStore(store, queries, loadQrels(options.qrels), {
      mode: options.mode,
      fusion: options.fusion,
      rerank: options.rerank,
    });
    return { ...metrics, seconds: (performance.now() - started) / 1000, ingest_seconds: ingestSeconds };
  } finally {
    await store.close();
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}
