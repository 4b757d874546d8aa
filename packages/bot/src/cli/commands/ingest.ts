import type { IngestReport, KnowledgeStore } from '@hearth/core';
import { type KnowledgeScope, parseScope } from '@hearth/core/knowledge';
import type { JobQueue } from '@hearth/core/queue';
import type { Command } from 'commander';
import { type CliContext, onInterrupt } from '../context.js';

/** A short human summary of an ingest: counts, then each skipped input and why. */
export function formatIngestReport(report: IngestReport): string {
  const chunks = (list: { chunks: number }[]) => list.reduce((a, e) => a + e.chunks, 0);
  const lines = [
    `added ${report.added.length} (${chunks(report.added)} chunks), changed ${report.changed.length} (${chunks(report.changed)} chunks), unchanged ${report.unchanged.length}, skipped ${report.skipped.length}`,
  ];
  for (const a of report.added) lines.push(`  + ${a.uri} (${a.chunks} chunks) ${a.sourceId}`);
  for (const c of report.changed) lines.push(`  ~ ${c.uri} (${c.chunks} chunks) ${c.sourceId}`);
  for (const s of report.skipped) lines.push(`  - ${s.uri}: ${s.reason}${s.detail ? ` (${s.detail})` : ''}`);
  return lines.join('\n');
}

/** `hearth ingest <path|url>... [--scope ...] [--json]` */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('ingest')
    .description('add files, folders or URLs to the knowledge base (unchanged sources are skipped)')
    .argument('<inputs...>', 'files, folders or http(s) URLs')
    .option('--scope <scope>', 'global, guild:<id>, channel:<id> or channel:<guildId>/<channelId>', 'global')
    .option('--json', 'print the report as JSON')
    .action(async (inputs: string[], flags: { scope: string; json?: boolean }) => {
      const scope = parseScope(flags.scope);
      const hearth = await ctx.hearth({ skipPlugins: true });
      const abort = new AbortController();
      // first Ctrl-C: stop after the current source; second: leave now
      const stopListening = onInterrupt(() =>
        abort.signal.aborted ? process.exit(130) : abort.abort(new Error('cancelled')),
      );
      try {
        const report = hearth.knowledgeQueue
          ? await throughQueue(ctx, hearth.knowledge, hearth.knowledgeQueue, inputs, scope, abort.signal)
          : await direct(ctx, hearth.knowledge, inputs, scope, abort.signal);
        if (flags.json) ctx.printJson(report);
        else ctx.print(formatIngestReport(report));
        const stored = report.added.length + report.changed.length + report.unchanged.length;
        if (stored === 0 && report.skipped.length > 0) process.exitCode = 1;
      } finally {
        stopListening();
      }
    });
}

/** One process: this one writes the knowledge store itself. */
async function direct(
  ctx: CliContext,
  knowledge: KnowledgeStore,
  inputs: string[],
  scope: KnowledgeScope,
  signal: AbortSignal,
): Promise<IngestReport> {
  const bar = ctx.progress('ingest');
  const report = await knowledge.ingest(inputs, {
    scope,
    signal,
    onProgress: (done, total, label) => bar.update(done, total, label),
  });
  bar.done();
  return report;
}

/**
 * A deployment with a shared queue has one knowledge writer, the `ingest` worker: this command reads
 * and parses the inputs here (the worker may be on another machine) and sends the text to it.
 */
async function throughQueue(
  ctx: CliContext,
  knowledge: KnowledgeStore,
  queue: JobQueue,
  inputs: string[],
  scope: KnowledgeScope,
  signal: AbortSignal,
): Promise<IngestReport> {
  const { ingestThroughQueue } = await import('@hearth/core/queue');
  const reading = ctx.progress('read');
  const loaded = await knowledge.load(inputs, {
    signal,
    onProgress: (done, total, label) => reading.update(done, total, label),
  });
  reading.done();
  const bar = ctx.progress(`ingest (worker on "${queue.name}")`);
  const report = await ingestThroughQueue(queue, loaded, {
    scope,
    signal,
    onProgress: (done, total, label) => bar.update(done, total, label),
  });
  bar.done();
  return report;
}
