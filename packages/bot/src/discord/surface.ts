import { newRequestId, withRequestId } from '@hearth/core';
import { metrics } from '@hearth/core/ops';
import { ApplicationCommandType, Client, Events, GatewayIntentBits, Partials, RESTEvents } from 'discord.js';
import { AnswerStore } from './answers/store.js';
import { handleInteraction } from './commands/interactions.js';
import { CommandRegistrar, type RegistrationResult } from './commands/register.js';
import { ConnectionMonitor, DEFAULT_READY_TIMEOUT_MS } from './connection/monitor.js';
import { type DiscordHearth, JobTracker, type SurfaceContext } from './context.js';
import { ChainIndex } from './conversation/chains.js';
import { handleMessage } from './conversation/messages.js';
import { TypingIndicators } from './conversation/typing.js';
import { ConcurrencyGate, KeyedSerial } from './limits/queue.js';
import { RateLimiter } from './limits/rate-limit.js';
import { SeenIds } from './limits/seen.js';
import { type Limiter, RedisRateLimiter } from './limits/shared.js';
import { errorCode, isReply } from './metrics.js';

/** Options of {@link startDiscord}. */
export interface StartDiscordOptions {
  /** Bot token; default the config's secret (DISCORD_TOKEN). */
  token?: string;
  /** Discord-compatible API base (`http://host:port/api`); default the config's `discord.apiUrl`. */
  apiUrl?: string;
  /** Shard ids this process runs and the total (set by the sharding manager through the environment otherwise). */
  shards?: number[];
  shardCount?: number;
  /**
   * Where rate limits and cooldowns live: `redis://…` shares them between every shard process and
   * machine; empty keeps them in this process. Default: the config's `redisUrl` (HEARTH_REDIS_URL).
   */
  redisUrl?: string;
  /** Key prefix for the shared limits (default `hearth`), so deployments or tests can share one Redis. */
  redisPrefix?: string;
}

/** A running Discord surface. */
export interface DiscordSurface {
  client: Client<true>;
  /** The registrar that keeps slash commands in step with the registry. */
  commands: CommandRegistrar;
  /** In-flight answers and jobs. */
  jobs: JobTracker;
  /** How slash command registration went at start (one entry per target). */
  registration: RegistrationResult[];
  /**
   * The line to tell the operator once started: who the bot is and how many commands were
   * registered, or which command and field Discord refused.
   */
  readyLine(): string;
  /** Finishes (or, after the grace period, cancels) in-flight work, then disconnects. Idempotent. */
  stop(): Promise<void>;
}

/** `discord.readyTimeoutMs` (read with a default until the config schema names it). */
function readyTimeoutMs(settings: SurfaceContext['settings']): number {
  const value = (settings as { readyTimeoutMs?: unknown }).readyTimeoutMs;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : DEFAULT_READY_TIMEOUT_MS;
}

/**
 * Connects Hearth to Discord (or a Discord-compatible server): conversations, slash commands for
 * every registry tool, long jobs and limits. Resolves once the gateway is ready and commands are
 * registered; rejects with the gateway's close codes explained when it is not ready within
 * `discord.readyTimeoutMs`. The surface holds no business logic; it translates to `engine`,
 * `registry` and `knowledge` calls and renders their results.
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
  const limits = { ...settings.rateLimits, cooldowns: settings.cooldowns };
  // config.redisUrl is HEARTH_REDIS_URL as loaded (environment, .env or the config file)
  const configured = (hearth.config as { redisUrl?: string }).redisUrl;
  const redisUrl = options.redisUrl ?? configured ?? process.env.HEARTH_REDIS_URL;
  const limiter: Limiter = redisUrl
    ? await RedisRateLimiter.open(limits, {
        url: redisUrl,
        prefix: options.redisPrefix,
        warn: (fields, message) => log.warn(fields, message),
      })
    : new RateLimiter(limits);
  const storeWarn = (fields: Record<string, unknown>, message: string) =>
    log.warn({ ...fields, err: redactor ? redactor.redact(String(fields.err)) : fields.err }, message);
  const ctx: SurfaceContext = {
    hearth,
    settings,
    client,
    log,
    limiter,
    gate: new ConcurrencyGate(settings.maxConcurrent, settings.maxQueue),
    serial: new KeyedSerial(),
    // on the configured engine, so every shard process and machine sees the same chains and answers
    chains: new ChainIndex(hearth.database?.sql, storeWarn),
    answers: new AnswerStore(hearth.database?.sql, storeWarn),
    jobs: new JobTracker(),
    typing: new TypingIndicators(),
    redact: (text) => (redactor ? redactor.redact(text) : text.split(token).join('[redacted]')),
  };
  const commands = new CommandRegistrar(ctx);
  const monitor = new ConnectionMonitor(client, log, ctx.redact);
  // A resumed session replays events, and Discord may deliver one twice: act on each id once.
  const seen = new SeenIds();

  const counters = metrics();
  // Each event is handled inside its own request id, so the engine's and queue's log lines of one
  // message or command carry the same id.
  const handle = (kind: string, id: string, work: () => Promise<void>): void => {
    counters.discordEvent(kind);
    const requestId = newRequestId();
    const handled = withRequestId(requestId, () => {
      // the line that ties the event id to the request id the engine's and queue's lines carry
      log.debug({ event: kind, id }, 'discord: handling event');
      return work();
    }).catch((err) => {
      counters.error('discord', errorCode(err));
      log.error({ err: ctx.redact(String(err?.stack ?? err)), id, requestId }, `discord: ${kind} handler failed`);
    });
    ctx.jobs.track(handled);
  };
  client.on(Events.MessageCreate, (message) => {
    if (!seen.first(`m:${message.id}`)) return log.debug({ id: message.id }, 'discord: duplicate message ignored');
    handle('message_create', message.id, () => handleMessage(ctx, message));
  });
  client.on(Events.InteractionCreate, (interaction) => {
    if (!seen.first(`i:${interaction.id}`))
      return log.debug({ id: interaction.id }, 'discord: duplicate interaction ignored');
    handle('interaction_create', interaction.id, () => handleInteraction(ctx, commands, interaction));
  });
  // replies and edits as Discord accepted them (one hook on the REST client sees every path)
  client.rest.on(RESTEvents.Response, (request, response) => {
    if (response.status < 400 && isReply(request.method, request.route)) counters.discordEvent('reply_sent');
    else if (response.status >= 400) counters.error('discord', `http_${response.status}`);
  });
  client.on(Events.GuildCreate, (guild) => {
    counters.discordEvent('guild_create');
    void commands.onGuildJoined(guild.id);
  });
  client.on(Events.Error, (err) => {
    counters.error('discord', 'client');
    log.error({ err: ctx.redact(err.message) }, 'discord: client error');
  });

  const timeoutMs = readyTimeoutMs(settings);
  try {
    const ready = monitor.waitReady(timeoutMs);
    const login = client.login(token);
    login.catch(() => {}); // reported through the race below
    // login may itself hang while the gateway keeps closing: the ready timeout bounds both
    await Promise.race([login.then(() => ready), ready]);
    await commands.syncAll();
  } catch (err) {
    monitor.stop();
    commands.stop();
    await client.destroy();
    await limiter.close?.();
    throw new Error(
      ctx.redact(`Could not connect to Discord${apiUrl ? ` at ${apiUrl}` : ''}: ${(err as Error).message}`),
    );
  }
  const registration = commands.status;
  const registered = Math.max(0, ...registration.map((r) => r.commands));
  const failed = registration.filter((r) => !r.ok);
  const line = (): string => {
    const who = `Hearth is on Discord as ${client.user?.tag}`;
    if (failed.length)
      return `${who}, but slash command registration failed (${failed.map((f) => `${f.target}: ${f.error}`).join('; ')}); mentions and DMs still work`;
    const message = commands.registered.filter((c) => c.type === ApplicationCommandType.Message).length;
    const where = settings.production ? 'globally' : 'per guild';
    return `${who} with ${registered} commands registered ${where} (${registered - message} slash, ${message} message)`;
  };
  const readyFields = { user: client.user?.tag, guilds: client.guilds.cache.size, commands: registered };
  if (failed.length) log.warn({ ...readyFields, failed: failed.length }, `discord: ready; ${line()}`);
  else log.info(readyFields, `discord: ready; ${line()}`);

  let stopped: Promise<void> | undefined;
  return {
    client: client as Client<true>,
    commands,
    jobs: ctx.jobs,
    registration,
    readyLine: line,
    stop: () =>
      (stopped ??= (async () => {
        commands.stop();
        await ctx.jobs.shutdown(settings.shutdownGraceMs);
        await commands.idle();
        monitor.stop();
        await client.destroy();
        await limiter.close?.();
        log.info('discord: stopped');
      })()),
  };
}
