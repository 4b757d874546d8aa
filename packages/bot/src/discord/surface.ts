import { Client, Events, GatewayIntentBits, Partials } from 'discord.js';
import { handleInteraction } from './commands/interactions.js';
import { CommandRegistrar } from './commands/register.js';
import { type DiscordHearth, JobTracker, type SurfaceContext } from './context.js';
import { ChainIndex } from './conversation/chains.js';
import { handleMessage } from './conversation/messages.js';
import { TypingIndicators } from './conversation/typing.js';
import { ConcurrencyGate, KeyedSerial } from './limits/queue.js';
import { RateLimiter } from './limits/rate-limit.js';

/** Options of {@link startDiscord}. */
export interface StartDiscordOptions {
  /** Bot token; default the config's secret (DISCORD_TOKEN). */
  token?: string;
  /** Discord-compatible API base (`http://host:port/api`); default the config's `discord.apiUrl`. */
  apiUrl?: string;
  /** Shard ids this process runs and the total (set by the sharding manager through the environment otherwise). */
  shards?: number[];
  shardCount?: number;
}

/** A running Discord surface. */
export interface DiscordSurface {
  client: Client<true>;
  /** The registrar that keeps slash commands in step with the registry. */
  commands: CommandRegistrar;
  /** In-flight answers and jobs. */
  jobs: JobTracker;
  /** Finishes (or, after the grace period, cancels) in-flight work, then disconnects. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Connects Hearth to Discord (or a Discord-compatible server): conversations, slash commands for
 * every registry tool, long jobs and limits. Resolves once the gateway is ready and commands are
 * registered. The surface holds no business logic; it translates to `engine`, `registry` and
 * `knowledge` calls and renders their results.
 */
export async function startDiscord(hearth: DiscordHearth, options: StartDiscordOptions = {}): Promise<DiscordSurface> {
  const settings = hearth.config.discord;
  const token = options.token ?? hearth.config.secrets.discordToken;
  if (!token)
    throw new Error('DISCORD_TOKEN is not set: create a bot at https://discord.com/developers and export its token.');
  const apiUrl = options.apiUrl ?? settings.apiUrl;
  const log = hearth.log.child({ area: 'discord' });
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.MessageContent,
      GatewayIntentBits.DirectMessages,
    ],
    partials: [Partials.Channel],
    ...(apiUrl ? { rest: { api: apiUrl.replace(/\/+$/, '') } } : {}),
    ...(options.shards ? { shards: options.shards, shardCount: options.shardCount ?? options.shards.length } : {}),
  });
  const redactor = hearth.redactor;
  redactor?.add(token);
  const ctx: SurfaceContext = {
    hearth,
    settings,
    client,
    log,
    limiter: new RateLimiter({ ...settings.rateLimits, cooldowns: settings.cooldowns }),
    gate: new ConcurrencyGate(settings.maxConcurrent, settings.maxQueue),
    serial: new KeyedSerial(),
    chains: new ChainIndex(),
    jobs: new JobTracker(),
    typing: new TypingIndicators(),
    redact: (text) => (redactor ? redactor.redact(text) : text.split(token).join('[redacted]')),
  };
  const commands = new CommandRegistrar(ctx);

  client.on(Events.MessageCreate, (message) => {
    const handled = handleMessage(ctx, message).catch((err) =>
      log.error({ err: ctx.redact(String(err?.stack ?? err)) }, 'discord: message handler failed'),
    );
    ctx.jobs.track(handled);
  });
  client.on(Events.InteractionCreate, (interaction) => {
    const handled = handleInteraction(ctx, commands, interaction).catch((err) =>
      log.error({ err: ctx.redact(String(err?.stack ?? err)) }, 'discord: interaction handler failed'),
    );
    ctx.jobs.track(handled);
  });
  client.on(Events.GuildCreate, (guild) => void commands.onGuildJoined(guild.id));
  client.on(Events.ShardDisconnect, (event, shard) =>
    log.warn({ shard, code: event.code }, 'discord: gateway disconnected'),
  );
  client.on(Events.ShardReconnecting, (shard) => log.info({ shard }, 'discord: reconnecting'));
  client.on(Events.ShardResume, (shard, replayed) => log.info({ shard, replayed }, 'discord: session resumed'));
  client.on(Events.Error, (err) => log.error({ err: ctx.redact(err.message) }, 'discord: client error'));

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(token);
    await ready;
    await commands.syncAll();
  } catch (err) {
    commands.stop();
    await client.destroy();
    throw new Error(
      ctx.redact(`Could not connect to Discord${apiUrl ? ` at ${apiUrl}` : ''}: ${(err as Error).message}`),
    );
  }
  log.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'discord: ready');

  let stopped: Promise<void> | undefined;
  return {
    client: client as Client<true>,
    commands,
    jobs: ctx.jobs,
    stop: () =>
      (stopped ??= (async () => {
        commands.stop();
        await ctx.jobs.shutdown(settings.shutdownGraceMs);
        await commands.idle();
        await client.destroy();
        log.info('discord: stopped');
      })()),
  };
}
