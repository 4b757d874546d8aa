import { randomUUID } from 'node:crypto';
import type { LimitDecision, RateLimitSettings } from './rate-limit.js';

/** What the surface asks of a limiter: the in-process {@link RateLimiter} or {@link RedisRateLimiter}. */
export interface Limiter {
  take(userId: string, guildId: string | undefined, command?: string): LimitDecision | Promise<LimitDecision>;
  close?(): Promise<void>;
}

/** The few ioredis calls the limiter makes. */
interface RedisClient {
  evalsha(sha: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
  script(sub: 'LOAD', script: string): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: string, fn: (...args: unknown[]) => void): unknown;
  once(event: string, fn: (...args: unknown[]) => void): unknown;
  status: string;
}

/**
 * One atomic check-and-record: the cooldown, then the user's and the guild's sliding windows (a
 * sorted set of hit times each), and only when all allow it, the hit is added to both windows
 * and the cooldown set. Time is Redis's own (TIME), so machines with skewed clocks share one clock.
 * KEYS: user window, guild window, cooldown. ARGV: user max, user window ms, guild max, guild
 * window ms, cooldown ms, hit id, has guild (1/0), has command (1/0).
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local umax, uwin, gmax, gwin, cd = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local hasGuild, hasCommand = ARGV[7] == '1', ARGV[8] == '1'
if hasCommand then
  local untilMs = tonumber(redis.call('GET', KEYS[3]) or '0')
  if untilMs > now then return {0, untilMs - now, 'cooldown'} end
end
local function wait(key, max, win)
  if max <= 0 then return 0 end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - win)
  if redis.call('ZCARD', key) < max then return 0 end
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return tonumber(first[2]) + win - now
end
local uw = wait(KEYS[1], umax, uwin)
if uw > 0 then return {0, uw, 'user'} end
if hasGuild then
  local gw = wait(KEYS[2], gmax, gwin)
  if gw > 0 then return {0, gw, 'guild'} end
end
if umax > 0 then
  redis.call('ZADD', KEYS[1], now, ARGV[6])
  redis.call('PEXPIRE', KEYS[1], uwin)
end
if hasGuild and gmax > 0 then
  redis.call('ZADD', KEYS[2], now, ARGV[6])
  redis.call('PEXPIRE', KEYS[2], gwin)
end
if hasCommand and cd > 0 then redis.call('SET', KEYS[3], now + cd, 'PX', cd) end
return {1, 0, ''}
`;

/** Options of {@link RedisRateLimiter}. */
export interface RedisLimiterOptions {
  /** `redis://…` (HEARTH_REDIS_URL). */
  url: string;
  /** Key prefix (default `hearth`); keys are `<prefix>:discord:limit:…`. */
  prefix?: string;
  /** How long one check may take before it is let through (default 1000 ms). */
  timeoutMs?: number;
  /** Told (at most every 30 s) when Redis does not answer and limits are let through. */
  warn?: (fields: Record<string, unknown>, message: string) => void;
}

/**
 * Per-user and per-guild windows and per-command cooldowns kept in Redis, so every shard process
 * and machine of one bot shares one budget. Each check is one Lua script (atomic). When Redis
 * does not answer, checks let the action through and a warning is logged: the limits guard
 * against spam, and refusing every user because Redis blinked would take the whole bot down
 * (the process's own concurrency gate still bounds the load).
 */
export class RedisRateLimiter implements Limiter {
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private sha: string | undefined;
  private lastWarn = 0;
  /** Checks let through because Redis did not answer (for tests and logs). */
  failedOpen = 0;

  private constructor(
    private readonly redis: RedisClient,
    private readonly settings: RateLimitSettings,
    private readonly options: RedisLimiterOptions,
  ) {
    this.prefix = `${options.prefix ?? 'hearth'}:discord:limit`;
    this.timeoutMs = options.timeoutMs ?? 1000;
  }

  /**
   * Connects to Redis (waiting up to `connectTimeoutMs`, default 3 s). Redis being down at start
   * is not fatal: checks let everything through until it answers, with a warning.
   */
  static async open(
    settings: RateLimitSettings,
    options: RedisLimiterOptions & { connectTimeoutMs?: number },
  ): Promise<RedisRateLimiter> {
    // ioredis is @hearth/core's dependency (BullMQ's client): one copy of the client for every package
    const { ioredis, redisConnection } = await import('@hearth/core/queue');
    const Redis = ioredis() as unknown as new (options: Record<string, unknown>) => RedisClient;
    const redis = new Redis({
      ...redisConnection(options.url),
      // fail fast instead of queueing commands while disconnected: a check must not hang a reply
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2000,
      lazyConnect: false,
    });
    const limiter = new RedisRateLimiter(redis, settings, options);
    redis.on('error', (err) => limiter.warnOnce(err, 'Redis connection error'));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.connectTimeoutMs ?? 3000);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (redis.status !== 'ready')
      limiter.warnOnce(new Error('no answer at start'), 'Redis is not reachable; rate limits let everything through');
    return limiter;
  }

  async take(userId: string, guildId: string | undefined, command?: string): Promise<LimitDecision> {
    const s = this.settings;
    const cooldown = command ? (s.cooldowns[command] ?? 0) : 0;
    const keys = [
      `${this.prefix}:user:${userId}`,
      `${this.prefix}:guild:${guildId ?? '-'}`,
      `${this.prefix}:cooldown:${command ?? '-'}:${userId}`,
    ];
    const args = [
      s.user.max,
      s.user.windowMs,
      s.guild.max,
      s.guild.windowMs,
      cooldown,
      randomUUID(),
      guildId ? 1 : 0,
      command ? 1 : 0,
    ];
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = (await Promise.race([
        this.run(keys, args),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ])) as [number, number, string];
      if (result[0] === 1) return { ok: true };
      return { ok: false, retryAfterMs: Number(result[1]), reason: result[2] as 'user' | 'guild' | 'cooldown' };
    } catch (err) {
      this.failedOpen++;
      this.warnOnce(err, 'Redis did not answer a rate-limit check; letting it through');
      return { ok: true };
    } finally {
      clearTimeout(timer);
    }
  }

  /** EVALSHA with the script loaded once; EVAL again when Redis lost it (a restart, SCRIPT FLUSH). */
  private async run(keys: string[], args: (string | number)[]): Promise<unknown> {
    if (this.sha) {
      try {
        return await this.redis.evalsha(this.sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      }
    }
    this.sha = String(await this.redis.script('LOAD', TAKE));
    return this.redis.evalsha(this.sha, keys.length, ...keys, ...args);
  }

  private warnOnce(err: unknown, message: string): void {
    const now = Date.now();
    if (now - this.lastWarn < 30_000) return;
    this.lastWarn = now;
    // ioredis errors name host and port only, never the URL's password
    this.options.warn?.({ err: (err as Error)?.message ?? String(err) }, `discord: ${message}`);
  }

  async close(): Promise<void> {
    await Promise.race([this.redis.quit(), new Promise((r) => setTimeout(r, 1000))]).catch(() => {});
    this.redis.disconnect();
  }
}
