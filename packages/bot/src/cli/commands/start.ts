import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { resolveOpsListen, startSurfaceOps } from '../../ops/index.js';
import type { CliContext } from '../context.js';

/**
 * Hearth's own user documentation, ingested on start so the offline assistant can answer questions
 * about itself: the README, BENCHMARKS.md and the guides in docs/ (not docs/dev, which is for its developers).
 */
export function bundledDocs(): string[] {
  const root = fileURLToPath(new URL('../../../../../', import.meta.url));
  const guides = existsSync(join(root, 'docs'))
    ? readdirSync(join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => join('docs', f))
    : [];
  return ['README.md', 'BENCHMARKS.md', ...guides.sort()].map((p) => join(root, p)).filter((p) => existsSync(p));
}

/**
 * `hearth start` (what `pnpm start` runs): ingest Hearth's docs (idempotent: unchanged files are
 * skipped), then run the Discord bot when DISCORD_TOKEN is set, else an interactive local chat on
 * the embedded defaults.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('run Hearth: the Discord bot when DISCORD_TOKEN is set, otherwise a local chat (offline defaults)')
    .option('--no-docs', "skip ingesting Hearth's own docs")
    .option('--ops <host:port>', 'serve /healthz, /readyz and /metrics (default ops.listen / HEARTH_OPS_LISTEN)')
    .action(async (options: { docs: boolean; ops?: string }) => {
      const config = await ctx.config();
      const next = config.secrets.discordToken ? 'discord' : 'chat';
      // the bot is a server (structured logs on stderr); the local chat keeps the terminal quiet
      const hearth = await ctx.hearth({ logs: next === 'discord' ? 'server' : 'quiet' });
      const opsListen = resolveOpsListen(options.ops, hearth.config);
      // the Discord command serves its own (with gateway readiness) from the same setting
      const ops = opsListen && next === 'chat' ? await startSurfaceOps(hearth, opsListen) : undefined;
      if (ops) process.stderr.write(`Hearth ops endpoints at ${ops.url}\n`);
      // with a shared queue the store has one writer (the ingest worker): a start must not write it too
      const shared = Boolean(hearth.config.redisUrl);
      if (options.docs && hearth.config.knowledge.ingestDocsOnStart && shared)
        hearth.log.info(
          'docs not ingested on start: with HEARTH_REDIS_URL the knowledge store has one writer (hearth worker --queues ingest)',
        );
      if (options.docs && hearth.config.knowledge.ingestDocsOnStart && !shared) {
        const docs = bundledDocs();
        if (docs.length) {
          const bar = ctx.progress('Indexing Hearth docs');
          const report = await hearth.knowledge.ingest(docs, {
            onProgress: (done, total, label) => bar.update(done, total, label),
          });
          bar.done(
            `${report.added.length} added, ${report.changed.length} changed, ${report.unchanged.length} unchanged`,
          );
        }
      }
      // the web console runs beside the bot or the chat when web.enabled is set
      const web = hearth.config.web.enabled ? await (await import('./web.js')).serveWebConsole(hearth) : undefined;
      if (web) process.stderr.write(`Hearth web console at ${web.url}\n`);
      const command = program.commands.find((c) => c.name() === next);
      if (!command) throw new Error(`the "${next}" command is not available in this build`);
      if (next === 'chat')
        process.stderr.write('No DISCORD_TOKEN set: starting a local chat. Type /help for commands.\n');
      try {
        await command.parseAsync(next === 'discord' && options.ops ? ['--ops', options.ops] : [], { from: 'user' });
      } finally {
        await ops?.close();
        await web?.close();
      }
    });
}
