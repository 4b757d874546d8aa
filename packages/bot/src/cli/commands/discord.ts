import type { Command } from 'commander';
import { type CliContext, watchShutdown } from '../context.js';

interface DiscordFlags {
  shards?: string;
  shardCount?: string;
  ops?: string;
}

/**
 * `hearth discord [--shards auto|N|A-B] [--shard-count N] [--ops host:port]`: runs the Discord bot
 * until Ctrl-C or SIGTERM, then finishes (or cancels) in-flight work and disconnects. With
 * `--shards`, discord.js's ShardingManager runs one process per shard, and respawns one that dies;
 * `--shards 0-3 --shard-count 8` runs only those ids, so several machines share one bot.
 * `DISCORD_API_URL` points it at a Discord-compatible server. `--ops` (or HEARTH_OPS_LISTEN)
 * serves /healthz, /readyz and /metrics; each shard process serves its own, on port + its index.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('discord')
    .description('run the Discord bot (needs DISCORD_TOKEN; DISCORD_API_URL for a Discord-compatible server)')
    .option(
      '--shards <auto|N|A-B>',
      'run shards in separate processes: auto, N shards, or ids A-B (with --shard-count)',
    )
    .option('--shard-count <N>', "the bot's total shard count, when this machine runs only some ids (--shards 0-3)")
    .option('--ops <host:port>', 'serve /healthz, /readyz and /metrics (shard processes: port + index)')
    .action(async (flags: DiscordFlags) => {
      // validated before anything connects: a wrong flag fails at once, naming itself
      const { parseShardPlan } = await import('../../discord/shard-plan.js');
      const { opsListen, offsetListen } = await import('../../discord/ops.js');
      const plan = parseShardPlan(flags.shards, flags.shardCount);
      if (flags.ops) offsetListen(flags.ops, 0);
      // listening from the start: a stop signal during startup stops right after it
      const shutdown = watchShutdown({
        onForce: (signal) => process.stderr.write(`${signal} again: stopping without waiting\n`),
      });
      try {
        await run(plan, flags, shutdown.stopped, opsListen);
      } finally {
        shutdown.release();
      }
    });

  async function run(
    plan: import('../../discord/shard-plan.js').ShardPlan | undefined,
    flags: DiscordFlags,
    stopped: Promise<NodeJS.Signals>,
    opsListen: typeof import('../../discord/ops.js').opsListen,
  ): Promise<void> {
    const config = await ctx.config();
    const token = config.secrets.discordToken;
    if (!token) {
      throw new Error(
        'DISCORD_TOKEN is not set. Create a bot at https://discord.com/developers/applications, then export DISCORD_TOKEN=<token>.',
      );
    }
    const ops = opsListen(flags.ops, config);
    if (plan) {
      const { startSharded } = await import('../../discord/shards.js');
      const g = ctx.globals();
      const ids = plan.ids?.join(',');
      const shardArgs = [
        ...(g.config ? ['--config', g.config] : []),
        '--data-dir',
        config.dataDir,
        ...(ops ? ['--ops', ops] : []),
      ];
      const sharded = await startSharded({
        token,
        apiUrl: config.discord.apiUrl,
        shards: plan.total,
        shardList: plan.ids,
        // each shard finds its ops port from its index among this machine's ids
        shardArgs: ops && ids ? [...shardArgs, '--local-shards', ids] : shardArgs,
        spawnDelayMs: config.discord.shardSpawnDelayMs,
        onShardEvent: (e) => {
          if (e.type === 'death') process.stderr.write(`shard ${e.shard} exited (${e.exit}); starting it again\n`);
          else if (e.type === 'ready') process.stderr.write(`shard ${e.shard} ready\n`);
          else if (e.type === 'error') process.stderr.write(`shard ${e.shard} did not come back: ${e.error}\n`);
        },
      });
      const which = plan.ids ? `shard(s) ${sharded.ids.join(', ')} of ${sharded.total}` : `${sharded.total} shard(s)`;
      process.stderr.write(`Hearth is on Discord with ${which}. Press Ctrl-C to stop.\n`);
      await stopped;
      await sharded.stop();
      return;
    }
    const { startDiscord } = await import('../../discord/surface.js');
    const { offsetListen, startDiscordOps } = await import('../../discord/ops.js');
    const hearth = await ctx.hearth({ logs: 'server' });
    let surface: Awaited<ReturnType<typeof startDiscord>> | undefined;
    // ops first: /healthz answers while the gateway connects, and a taken port fails before connecting
    const server = ops ? await startDiscordOps(offsetListen(ops, 0), hearth, () => surface?.client) : undefined;
    try {
      surface = await startDiscord(hearth, { token });
    } catch (err) {
      await server?.close();
      throw err;
    }
    process.stderr.write(`${surface.readyLine()}${server ? `; ops at ${server.url}` : ''}. Press Ctrl-C to stop.\n`);
    const signal = await stopped;
    process.stderr.write(`${signal}: finishing in-flight work, then disconnecting...\n`);
    await server?.close();
    await surface.stop();
  }
}
