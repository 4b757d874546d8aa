import { createEmbedder, evaluateBeir } from '@hearth/core/knowledge';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

interface EvalFlags {
  corpus: string;
  queries: string;
  qrels: string;
  k: string;
  json?: boolean;
  embedder?: string;
  mode: 'hybrid' | 'vector' | 'text';
  rerank?: boolean;
  split?: string;
  dir?: string;
}

/** `hearth eval retrieval --corpus --queries --qrels [--k 10] [--json]` on a BEIR-layout dataset. */
export function register(program: Command, ctx: CliContext): void {
  const group = program.command('eval').description('measure quality on standard datasets');
  group
    .command('retrieval')
    .description('BEIR retrieval evaluation (nDCG@10, Recall@10/100, MRR@10) in a fresh temporary store')
    .requiredOption('--corpus <file>', 'corpus.jsonl ({"_id","title","text"} per line)')
    .requiredOption('--queries <file>', 'queries.jsonl ({"_id","text"} per line)')
    .requiredOption('--qrels <file>', 'qrels TSV with header: query-id corpus-id score')
    .option('--k <n>', 'extra cutoff reported as ndcg_at_k / recall_at_k', '10')
    .option('--embedder <ref>', 'embedder (default: the configured one)')
    .option('--mode <mode>', 'hybrid, vector (embedder alone) or text (BM25 alone)', 'hybrid')
    .option('--rerank', 'apply the local rerank stage')
    .option('--split <name>', 'only queries whose metadata.split is this')
    .option('--dir <dir>', 'use (and keep) this knowledge folder instead of a temporary one')
    .option('--json', 'print one JSON object')
    .action(async (flags: EvalFlags) => {
      const k = Number(flags.k);
      if (!Number.isInteger(k) || k < 1) throw new Error(`--k must be a positive whole number, got "${flags.k}"`);
      if (!['hybrid', 'vector', 'text'].includes(flags.mode))
        throw new Error(`--mode must be hybrid, vector or text, got "${flags.mode}"`);
      const ref = flags.embedder;
      const embedder =
        ref === undefined || ref.startsWith('local')
          ? ref === undefined
            ? await (await ctx.hearth({ skipPlugins: true })).models.embedder()
            : await createEmbedder(ref)
          : await (await ctx.hearth({ skipPlugins: true })).models.embedder(ref);
      const bar = flags.json ? undefined : ctx.progress('eval ingest');
      const metrics = await evaluateBeir({
        corpus: flags.corpus,
        queries: flags.queries,
        qrels: flags.qrels,
        embedder,
        dir: flags.dir,
        mode: flags.mode,
        rerank: flags.rerank,
        querySplit: flags.split,
        k,
        onProgress: bar ? (done, total, label) => bar.update(done, total, label) : undefined,
      });
      bar?.done();
      if (flags.json) ctx.printJson({ ...metrics, embedder: embedder.ref, mode: flags.mode });
      else {
        ctx.print(
          `embedder ${embedder.ref}, mode ${flags.mode}, ${metrics.queries} queries, ${metrics.seconds.toFixed(1)} s`,
        );
        for (const [key, value] of Object.entries(metrics) as [string, number][]) {
          if (key.includes('_at_')) ctx.print(`  ${key.padEnd(14)} ${value.toFixed(4)}`);
        }
        ctx.print(
          `  query p50 ${metrics.query_ms_p50?.toFixed(1)} ms, p95 ${metrics.query_ms_p95?.toFixed(1)} ms; ingest ${metrics.ingest_seconds?.toFixed(1)} s`,
        );
      }
    });
}
