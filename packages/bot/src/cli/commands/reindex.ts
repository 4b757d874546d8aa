import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `hearth reindex --embedder <ref>`: rebuilds every source into that embedder's own table and uses it. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('reindex')
    .description("rebuild the knowledge base with another embedder (into that embedder's own table)")
    .requiredOption('--embedder <ref>', 'local, local:<variant> or hf:<repo id>')
    .action(async (flags: { embedder: string }) => {
      const hearth = await ctx.hearth({ skipPlugins: true });
      const bar = ctx.progress(`reindex ${flags.embedder}`);
      const result = await hearth.knowledge.reindex(flags.embedder, {
        onProgress: (done, total, label) => bar.update(done, total, label),
      });
      bar.done();
      ctx.print(`reindexed with ${flags.embedder}: ${result.sources} sources, ${result.chunks} chunks`);
    });
}
