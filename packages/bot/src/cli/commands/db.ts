import { isPostgresUrl, redactUrl } from '@hearth/core/storage';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `hearth db copy [--to postgres://…]`: a single machine's SQLite data into a deployment's PostgreSQL. */
export function register(program: Command, ctx: CliContext): void {
  const group = program.command('db').description("the database: copy a single machine's SQLite data to PostgreSQL");
  group
    .command('copy')
    .description(
      'copy conversations, plugin storage, job records, Discord chains and feedback, web conversations and usage from the data folder to an empty PostgreSQL',
    )
    .option('--to <url>', 'the PostgreSQL to fill (default HEARTH_DATABASE_URL)')
    .action(async (flags: { to?: string }) => {
      const config = await ctx.config();
      const url = flags.to ?? config.databaseUrl;
      if (!isPostgresUrl(url)) {
        throw new Error('hearth db copy needs a postgres:// URL: pass --to or set HEARTH_DATABASE_URL');
      }
      const { copySqliteToPostgres } = await import('@hearth/core/storage');
      const counts = await copySqliteToPostgres(config.dataDir, url, {
        onTable: (table, rows) => ctx.print(`  ${table}: ${rows} rows`),
      });
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      ctx.print(`copied ${total} rows from ${config.dataDir}/hearth.sqlite to ${redactUrl(url)}`);
    });
}
