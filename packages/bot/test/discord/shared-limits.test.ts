import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, waitUntil } from '../../../../test/scale/lib/index.js';
import type { RateLimitSettings } from '../../src/discord/limits/rate-limit.js';
import { RedisRateLimiter } from '../../src/discord/limits/shared.js';

const REDIS = process.env.HEARTH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const settings: RateLimitSettings = {
  user: { max: 3, windowMs: 60_000 },
  guild: { max: 5, windowMs: 60_000 },
  cooldowns: { imagine: 60_000 },
};

describe('RedisRateLimiter (real Redis): limits shared by every process', () => {
  // a prefix of this run only: other engineers' tests share this Redis
  const prefix = `test-discord-limits-${randomUUID().slice(0, 8)}`;
  const open: RedisRateLimiter[] = [];
  const limiter = async (s = settings, url = REDIS) => {
    const l = await RedisRateLimiter.open(s, { url, prefix, connectTimeoutMs: 1500 });
    open.push(l);
    return l;
  };
  afterAll(async () => {
    await Promise.all(open.map((l) => l.close()));
  });

  it('two limiters (as two shard processes would hold) share one user budget and one guild budget', async () => {
    const a = await limiter();
    const b = await limiter();
    expect((await a.take('u1', 'g1')).ok).toBe(true);
    expect((await b.take('u1', 'g1')).ok).toBe(true);
    expect((await a.take('u1', 'g1')).ok).toBe(true);
    // the fourth action of u1 is refused by either process
    const refused = await b.take('u1', 'g1');
    expect(refused).toMatchObject({ ok: false, reason: 'user' });
    if (!refused.ok) expect(refused.retryAfterMs).toBeGreaterThan(55_000);
    expect(await a.take('u1', 'g1')).toMatchObject({ ok: false, reason: 'user' });
    // refused actions were not recorded: the guild has 3 of 5 used
    expect((await a.take('u2', 'g1')).ok).toBe(true);
    expect((await b.take('u3', 'g1')).ok).toBe(true);
    expect(await a.take('u4', 'g1')).toMatchObject({ ok: false, reason: 'guild' });
    expect(a.failedOpen + b.failedOpen).toBe(0);
  });

  it('a command cooldown set through one process holds in the other', async () => {
    const a = await limiter({ ...settings, user: { max: 0, windowMs: 1000 }, guild: { max: 0, windowMs: 1000 } });
    const b = await limiter({ ...settings, user: { max: 0, windowMs: 1000 }, guild: { max: 0, windowMs: 1000 } });
    expect((await a.take('c1', 'g2', 'imagine')).ok).toBe(true);
    expect(await b.take('c1', 'g2', 'imagine')).toMatchObject({ ok: false, reason: 'cooldown' });
    expect((await b.take('c2', 'g2', 'imagine')).ok).toBe(true);
    // no cooldown configured for this command, and no windows: always allowed
    expect((await b.take('c1', 'g2', 'ask')).ok).toBe(true);
  });

  it('concurrent takes from two limiters never exceed the budget (the check and the record are atomic)', async () => {
    const s = { ...settings, user: { max: 10, windowMs: 60_000 }, guild: { max: 0, windowMs: 1000 } };
    const a = await limiter(s);
    const b = await limiter(s);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).take('burst', 'g3')));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
  });

  it('lets actions through with one warning when Redis does not answer (fails open)', async () => {
    // a port that accepts nothing: listen, take the port, close
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const warnings: string[] = [];
    const l = await RedisRateLimiter.open(settings, {
      url: `redis://:s3cret-pass@127.0.0.1:${port}`,
      prefix,
      connectTimeoutMs: 300,
      timeoutMs: 300,
      warn: (fields, message) => warnings.push(`${message} ${JSON.stringify(fields)}`),
    });
    open.push(l);
    for (let i = 0; i < 5; i++) expect((await l.take('u', 'g')).ok).toBe(true);
    expect(l.failedOpen).toBe(5);
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThanOrEqual(2); // at most every 30 s, not once per check
    expect(warnings.join('\n')).not.toContain('s3cret-pass');
  });
  it('Redis stopped mid-run: checks fail open at once, and limits hold again once it is back (script reloaded)', {
    timeout: 60_000,
  }, async () => {
    const redis = await startPrivateRedis();
    const warnings: string[] = [];
    const s = { ...settings, user: { max: 2, windowMs: 60_000 }, guild: { max: 0, windowMs: 1000 } };
    const l = await RedisRateLimiter.open(s, {
      url: redis.url,
      prefix,
      timeoutMs: 500,
      warn: (_f, m) => warnings.push(m),
    });
    open.push(l);
    try {
      expect((await l.take('r1', 'g')).ok).toBe(true);
      await redis.stop();
      const started = Date.now();
      for (let i = 0; i < 4; i++) expect((await l.take('r1', 'g')).ok).toBe(true);
      expect(Date.now() - started).toBeLessThan(2500); // never waits longer than the check's time limit
      expect(l.failedOpen).toBe(4);
      expect(warnings.length).toBeGreaterThanOrEqual(1);
      await redis.start(); // empty: no data, no loaded script
      await waitUntil(
        'limiter back on Redis',
        async () => {
          const before = l.failedOpen;
          await l.take('probe', 'g');
          return l.failedOpen === before;
        },
        20_000,
        200,
      );
      expect((await l.take('r2', 'g')).ok).toBe(true);
      expect((await l.take('r2', 'g')).ok).toBe(true);
      expect(await l.take('r2', 'g')).toMatchObject({ ok: false, reason: 'user' });
    } finally {
      await redis.stop();
    }
  });
});
