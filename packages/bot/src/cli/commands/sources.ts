import type { SourceInfo } from '@hearth/core';
import { parseScope } from '@hearth/core/knowledge';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

function formatSources(sources: SourceInfo[]): string {
  if (sources.length === 0) return 'no sources';
  return sources
    .map((s) => {
      const scope =
        s.scope === 'global'
          ? 'global'
          : s.scope === 'guild'
            ? `guild:${s.guildId}`
            : `channel:${s.guildId ? `${s.guildId}/` : ''}${s.channelId}`;
      return `${s.id}  ${String(s.chunks).padStart(6)} chunks  ${scope.padEnd(12)}  ${s.title}  (${s.uri})`;
    })
    .join('\n');
}

/** `hearth sources list [--scope ...] [--json]` and `hearth sources remove <id...>` */
export function register(program: Command, ctx: CliContext): void {
  const group = program.command('sources').description('list or remove knowledge sources');
  group
    .command('list')
    .description('list sources (all of them, or those visible from --scope)')
    .option(
      '--scope <scope>',
      'only sources visible from: global, guild:<id>, channel:<id> or channel:<guildId>/<channelId>',
    )
    .option('--json', 'print as JSON')
    .action(async (flags: { scope?: string; json?: boolean }) => {
      const hearth = await ctx.hearth({ skipPlugins: true });
      const sources = await hearth.knowledge.listSources(flags.scope ? parseScope(flags.scope) : undefined);
      if (flags.json) ctx.printJson(sources);
      else ctx.print(formatSources(sources));
    });
  group
    .command('remove')
    .description('remove sources and their chunks')
    .argument('<ids...>', 'source ids (see `hearth sources list`)')
    .action(async (ids: string[]) => {
      const hearth = await ctx.hearth({ skipPlugins: true });
      let missing = 0;
      for (const id of ids) {
        const removed = await hearth.knowledge.removeSource(id);
        ctx.print(removed ? `removed ${id}` : `no source ${id}`);
        if (!removed) missing++;
      }
      if (missing) process.exitCode = 1;
    });
}
