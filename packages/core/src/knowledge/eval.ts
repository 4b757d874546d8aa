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
  [extra: `ndcg_at_${number}` | `recall_at_${number}`]: number;
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

/** nDCG, recall and MRR at cutoff `k` of one ranking (document ids, best first). Gains are the grades. */
export function atCutoff(
  ranking: string[],
  relevant: Map<string, number>,
  k: number,
): { ndcg: number; recall: number; mrr: number } {
  const grades = [...relevant.values()].filter((g) => g > 0);
  if (grades.length === 0) return { ndcg: 0, recall: 0, mrr: 0 };
  const top = ranking.slice(0, k);
  const dcg = top.reduce((a, id, i) => a + (relevant.get(id) ?? 0) / Math.log2(i + 2), 0);
  const ideal = grades
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((a, g, i) => a + g / Math.log2(i + 2), 0);
  const found = top.filter((id) => (relevant.get(id) ?? 0) > 0).length;
  const first = top.findIndex((id) => (relevant.get(id) ?? 0) > 0);
  return { ndcg: dcg / ideal, recall: found / grades.length, mrr: first >= 0 ? 1 / (first + 1) : 0 };
}

/** Per-query metrics of one ranking (document ids, best first). */
export function scoreRanking(
  ranking: string[],
  relevant: Map<string, number>,
): { ndcg10: number; recall10: number; recall100: number; mrr10: number } {
  const at10 = atCutoff(ranking, relevant, 10);
  return {
    ndcg10: at10.ndcg,
    recall10: at10.recall,
    recall100: atCutoff(ranking, relevant, 100).recall,
    mrr10: at10.mrr,
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
  options: Omit<SearchOptions, 'k'> & { depth?: number; k?: number } = {},
): Promise<RetrievalMetrics & { perQuery: Map<string, number> }> {
  const { depth: _d, k: cutoff = 10, ...search } = options;
  const judged = queries.filter((q) => qrels.has(q.id));
  const depth = Math.max(options.depth ?? 100, cutoff);
  let extraNdcg = 0;
  let extraRecall = 0;
  const sums = { ndcg10: 0, recall10: 0, recall100: 0, mrr10: 0 };
  const times: number[] = [];
  const perQuery = new Map<string, number>();
  const started = performance.now();
  for (const q of judged) {
    const t0 = performance.now();
    const hits = await store.searchDetailed(q.text, { ...search, k: depth });
    times.push(performance.now() - t0);
    const ranking = [...new Set(hits.map((h) => h.docId))];
    const relevant = qrels.get(q.id) as Map<string, number>;
    const m = scoreRanking(ranking, relevant);
    if (cutoff !== 10 && cutoff !== 100) {
      const extra = atCutoff(ranking, relevant, cutoff);
      extraNdcg += extra.ndcg;
      extraRecall += extra.recall;
    }
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
    ...(cutoff !== 10 && cutoff !== 100
      ? { [`ndcg_at_${cutoff}`]: extraNdcg / n, [`recall_at_${cutoff}`]: extraRecall / n }
      : {}),
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
  /** An extra cutoff reported as `ndcg_at_<k>` and `recall_at_<k>`. */
  k?: number;
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
      k: options.k,
    });
    return { ...metrics, seconds: (performance.now() - started) / 1000, ingest_seconds: ingestSeconds };
  } finally {
    await store.close();
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}
