import type { SearchHit } from '@hearth/core';
import { parseScope } from '@hearth/core/knowledge';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** Numbered hits with source, heading path, score and a snippet. */
export function formatHits(hits: SearchHit[]): string {
  if (hits.length === 0) return 'no results';
  return hits
    .map((h, i) => {
      const where = h.headingPath?.length ? ` > ${h.headingPath.join(' > ')}` : '';
      const snippet = h.text.replace(/\s+/g, ' ').slice(0, 240);
      return `[${i + 1}] ${h.title}${where}  (score ${h.score.toFixed(3)})\n    ${h.source}\n    ${snippet}${h.text.length > 240 ? '…' : ''}`;
    })
    .join('\n');
}

/** `hearth search "<query>" [--k N] [--json] [--scope ...] [--rerank]` */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('search')
    .description('hybrid search (vector + BM25) of the knowledge base')
    .argument('<query>', 'what to look for')
    .option('-k, --k <n>', 'number of results', '5')
    .option('--scope <scope>', 'search as: global, guild:<id>, channel:<id> or channel:<guildId>/<channelId>', 'global')
    .option('--rerank', 'apply the local rerank stage')
    .option('--json', 'print hits as JSON')
    .action(async (query: string, flags: { k: string; scope: string; rerank?: boolean; json?: boolean }) => {
      const k = Number(flags.k);
      if (!Number.isInteger(k) || k < 1 || k > 1000)
        throw new Error(`--k must be a whole number from 1 to 1000, got "${flags.k}"`);
      const hearth = await ctx.hearth({ skipPlugins: true });
      const hits = await hearth.knowledge.search(query, { k, scope: parseScope(flags.scope), rerank: flags.rerank });
      if (flags.json) ctx.printJson(hits);
      else ctx.print(formatHits(hits));
    });
}
