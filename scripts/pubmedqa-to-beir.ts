/**
 * Converts PubMedQA PQA-L (../shared/data/pubmedqa/pqal.jsonl) to the BEIR layout used by `hearth eval retrieval`:
 *   corpus.jsonl   every context passage of all rows: {"_id": "<pmid>-<i>", "title": "", "text": ...}
 *   queries.jsonl  the questions: {"_id": "<pmid>", "text": ..., "metadata": {"split": "test" | "cv"}}
 *   qrels.tsv      `query-id corpus-id score`, a question's own passages relevant (score 1)
 *
 * Usage: node --import tsx scripts/pubmedqa-to-beir.ts [input.jsonl] <output folder>
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface PqaRow {
  pmid: string;
  split: string;
  question: string;
  contexts: string[];
}

/** Converts the rows; returns the three files' contents. */
export function pubmedqaToBeir(jsonl: string): {
  corpus: string;
  queries: string;
  qrels: string;
  counts: { rows: number; passages: number };
} {
  const corpus: string[] = [];
  const queries: string[] = [];
  const qrels: string[] = ['query-id\tcorpus-id\tscore'];
  let rows = 0;
  for (const [n, line] of jsonl.split('\n').entries()) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as PqaRow;
    if (!row.pmid || !row.question || !Array.isArray(row.contexts))
      throw new Error(`line ${n + 1}: expected pmid, question and contexts`);
    rows++;
    queries.push(JSON.stringify({ _id: row.pmid, text: row.question, metadata: { split: row.split } }));
    row.contexts.forEach((text, i) => {
      const id = `${row.pmid}-${i}`;
      corpus.push(JSON.stringify({ _id: id, title: '', text }));
      qrels.push(`${row.pmid}\t${id}\t1`);
    });
  }
  return {
    corpus: `${corpus.join('\n')}\n`,
    queries: `${queries.join('\n')}\n`,
    qrels: `${qrels.join('\n')}\n`,
    counts: { rows, passages: corpus.length },
  };
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() as string);
if (isMain) {
  const args = process.argv.slice(2);
  const input = args.length > 1 ? args[0] : '../shared/data/pubmedqa/pqal.jsonl';
  const out = args.length > 1 ? args[1] : args[0];
  if (!out) {
    console.error('usage: pubmedqa-to-beir.ts [pqal.jsonl] <output folder>');
    process.exit(2);
  }
  const result = pubmedqaToBeir(readFileSync(input, 'utf8'));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'corpus.jsonl'), result.corpus);
  writeFileSync(join(out, 'queries.jsonl'), result.queries);
  writeFileSync(join(out, 'qrels.tsv'), result.qrels);
  console.log(`wrote ${result.counts.passages} passages and ${result.counts.rows} queries to ${out}`);
}
