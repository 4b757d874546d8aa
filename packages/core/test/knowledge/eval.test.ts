import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateBeir, loadQrels, scoreRanking } from '../../src/knowledge/eval.js';
import { LocalHashEmbedder } from '../../src/providers/embedders/index.js';

const root = mkdtempSync(join(tmpdir(), 'hearth-eval-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('retrieval metrics', () => {
  it('scores rankings like BEIR (nDCG, recall, MRR)', () => {
    const rel = new Map([
      ['d1', 1],
      ['d2', 1],
    ]);
    expect(scoreRanking(['d1', 'd2', 'x'], rel)).toEqual({ ndcg10: 1, recall10: 1, recall100: 1, mrr10: 1 });
    const late = scoreRanking(['x', 'd2'], rel);
    expect(late.mrr10).toBe(0.5);
    expect(late.recall10).toBe(0.5);
    expect(late.ndcg10).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 6);
    expect(scoreRanking(['x'], rel).ndcg10).toBe(0);
  });

  it('reads qrels with a header', () => {
    const path = join(root, 'q.tsv');
    writeFileSync(path, 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t2\nq2\td3\t0\n');
    const qrels = loadQrels(path);
    expect(qrels.get('q1')?.get('d2')).toBe(2);
    expect(qrels.size).toBe(2);
  });

  it('evaluates a small BEIR set end to end in a temporary store', async () => {
    const corpus = [
      { _id: 'c1', title: 'Mitochondria', text: 'Mitochondria produce energy for the cell through respiration.' },
      { _id: 'c2', title: 'Volcanoes', text: 'Volcanic eruptions release lava and ash.' },
      { _id: 'c3', title: 'Insulin', text: 'Insulin regulates blood glucose levels in diabetes.' },
    ];
    writeFileSync(join(root, 'corpus.jsonl'), corpus.map((c) => JSON.stringify(c)).join('\n'));
    writeFileSync(
      join(root, 'queries.jsonl'),
      [
        { _id: 'q1', text: 'what makes energy in cells' },
        { _id: 'q2', text: 'lava eruption' },
        { _id: 'q3', text: 'glucose regulation hormone' },
      ]
        .map((q) => JSON.stringify(q))
        .join('\n'),
    );
    writeFileSync(join(root, 'qrels.tsv'), 'query-id\tcorpus-id\tscore\nq1\tc1\t1\nq2\tc2\t1\nq3\tc3\t1\n');
    const m = await evaluateBeir({
      corpus: join(root, 'corpus.jsonl'),
      queries: join(root, 'queries.jsonl'),
      qrels: join(root, 'qrels.tsv'),
      embedder: new LocalHashEmbedder(),
    });
    expect(m.queries).toBe(3);
    expect(m.ndcg_at_10).toBeGreaterThan(0.9);
    expect(m.recall_at_100).toBe(1);
    expect(m.seconds).toBeGreaterThan(0);
  });
});
