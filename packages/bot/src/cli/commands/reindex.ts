import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `hearth reindex --embedder <ref>`: rebuilds every source into that embedder's own table and uses it. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('reindex')
    .description("rebuild the knowledge base with another embedder (into that embedder's own table)")
    .requiredOption('--embedder <ref>', 'local, local:<variant> or hf:<repo id>')
    .option('--direct', 'with HEARTH_REDIS_URL set: write the store from here (the ingest worker is stopped)')
    .action(async (flags: { embedder: string; direct?: boolean }) => {
      const hearth = await ctx.hearth({ skipPlugins: true });
      if (hearth.knowledgeQueue && !flags.direct) {
        // reindex writes every table itself: beside a running ingest worker it would be a second writer
        throw new Error(
          `With HEARTH_REDIS_URL set, the worker on the "${hearth.knowledgeQueue.name}" queue is the one knowledge writer, ` +
            'and reindex writes the store directly. Stop that worker, run `hearth reindex --embedder ' +
            `${flags.embedder} --direct\` on its machine, start it again, then restart the other processes (each reads ` +
            'the embedder in use when it opens).',
        );
      }
      const bar = ctx.progress(`reindex ${flags.embedder}`);
      const result = await hearth.knowledge.reindex(flags.embedder, {
        onProgress: (done, total, label) => bar.update(done, total, label),
      });
      bar.done();
      ctx.print(`reindexed with ${flags.embedder}: ${result.sources} sources, ${result.chunks} chunks`);
    });
}
