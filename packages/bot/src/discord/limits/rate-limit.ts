/** The outcome of a limit check: allowed, or how long until it would be. */
export type LimitDecision = { ok: true } | { ok: false; retryAfterMs: number; reason: 'user' | 'guild' | 'cooldown' };

/**
 * A sliding-window counter per key: at most `max` hits in any `windowMs`. `max` 0 disables it.
 * Memory stays bounded: a key's timestamps older than the window are dropped on every check.
 */
export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Milliseconds until `key` may act again (0: now). Does not record a hit. */
  wait(key: string, now: number): number {
    if (this.max <= 0) return 0;
    const list = this.prune(key, now);
    return list.length < this.max ? 0 : list[0]! + this.windowMs - now;
  }

  record(key: string, now: number): void {
    if (this.max <= 0) return;
    const list = this.prune(key, now);
    list.push(now);
    this.hits.set(key, list);
  }

  private prune(key: string, now: number): number[] {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length) this.hits.set(key, list);
    else this.hits.delete(key);
    return list;
  }
}

/** Settings of {@link RateLimiter}. */
export interface RateLimitSettings {
  user: { max: number; windowMs: number };
  guild: { max: number; windowMs: number };
  /** Command name -> per-user cooldown in ms. */
  cooldowns: Record<string, number>;
}

/** Per-user and per-guild windows plus per-command cooldowns; a hit is recorded only when all allow it. */
export class RateLimiter {
  private readonly users: SlidingWindow;
  private readonly guilds: SlidingWindow;
  private readonly cooldownUntil = new Map<string, number>();

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly clock: () => number = Date.now,
  ) {
    this.users = new SlidingWindow(settings.user.max, settings.user.windowMs);
    this.guilds = new SlidingWindow(settings.guild.max, settings.guild.windowMs);
  }

  /** Checks and, when allowed, records one action of `userId` in `guildId` (a command name enables its cooldown). */
  take(userId: string, guildId: string | undefined, command?: string): LimitDecision {
    const now = this.clock();
    const cooldownKey = command ? `${command}:${userId}` : undefined;
    const until = cooldownKey ? (this.cooldownUntil.get(cooldownKey) ?? 0) : 0;
    if (until > now) return { ok: false, retryAfterMs: until - now, reason: 'cooldown' };
    const userWait = this.users.wait(userId, now);
    if (userWait > 0) return { ok: false, retryAfterMs: userWait, reason: 'user' };
    const guildWait = guildId ? this.guilds.wait(guildId, now) : 0;
    if (guildWait > 0) return { ok: false, retryAfterMs: guildWait, reason: 'guild' };
    this.users.record(userId, now);
    if (guildId) this.guilds.record(guildId, now);
    const cooldown = command ? (this.settings.cooldowns[command] ?? 0) : 0;
    if (cooldownKey && cooldown > 0) this.cooldownUntil.set(cooldownKey, now + cooldown);
    if (this.cooldownUntil.size > 10_000) {
      for (const [k, t] of this.cooldownUntil) if (t <= now) this.cooldownUntil.delete(k);
    }
    return { ok: true };
  }
}

/** The friendly reply for a refused action. */
export function limitMessage(decision: Exclude<LimitDecision, { ok: true }>): string {
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  const when = `in ${seconds} second${seconds === 1 ? '' : 's'}`;
  if (decision.reason === 'cooldown') return `That command is cooling down for you; try again ${when}.`;
  if (decision.reason === 'guild') return `This server is sending me a lot right now; please try again ${when}.`;
  return `You're going a bit fast for me; please try again ${when}.`;
}
