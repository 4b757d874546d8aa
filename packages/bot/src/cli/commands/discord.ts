import type { Command } from 'commander';
import { type CliContext, watchShutdown } from '../context.js';

/** Parses `--shards`: `auto` or a positive integer. */
export function parseShards(value: string): 'auto' | number {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--shards must be "auto" or a positive integer, not "${value}"`);
  return n;
}

/**
 * `hearth discord [--shards auto|N]`: runs the Discord bot until Ctrl-C or SIGTERM, then finishes
 * (or cancels) in-flight work and disconnects. With `--shards`, discord.js's ShardingManager runs
 * one process per shard. `DISCORD_API_URL` points it at a Discord-compatible server.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('discord')
    .description('run the Discord bot (needs DISCORD_TOKEN; DISCORD_API_URL for a Discord-compatible server)')
    .option('--shards <auto|N>', 'run shards in separate processes through the ShardingManager', parseShards)
    .action(async (options: { shards?: 'auto' | number }) => {
      // listening from the start: a stop signal during startup stops right after it
      const shutdown = watchShutdown({
        onForce: (signal) => process.stderr.write(`${signal} again: stopping without waiting\n`),
      });
      try {
        await run(options, shutdown.stopped);
      } finally {
        shutdown.release();
      }
    });

  async function run(options: { shards?: 'auto' | number }, stopped: Promise<NodeJS.Signals>): Promise<void> {
    const config = await ctx.config();
    const token = config.secrets.discordToken;
    if (!token) {
      throw new Error(
        'DISCORD_TOKEN is not set. Create a bot at https://discord.com/developers/applications, then export DISCORD_TOKEN=<token>.',
      );
    }
    if (options.shards !== undefined) {
      const { startSharded } = await import('../../discord/shards.js');
      const g = ctx.globals();
      const shardArgs = [...(g.config ? ['--config', g.config] : []), '--data-dir', config.dataDir];
      const sharded = await startSharded({
        token,
        apiUrl: config.discord.apiUrl,
        shards: options.shards,
        shardArgs,
        spawnDelayMs: config.discord.shardSpawnDelayMs,
      });
      process.stderr.write(`Hearth is on Discord with ${sharded.total} shard(s). Press Ctrl-C to stop.\n`);
      await stopped;
      await sharded.stop();
      return;
    }
    const { startDiscord } = await import('../../discord/surface.js');
    const hearth = await ctx.hearth({ logs: 'server' });
    const surface = await startDiscord(hearth, { token });
    process.stderr.write(`${surface.readyLine()}. Press Ctrl-C to stop.\n`);
    const signal = await stopped;
    process.stderr.write(`${signal}: finishing in-flight work, then disconnecting...\n`);
    await surface.stop();
  }
}
