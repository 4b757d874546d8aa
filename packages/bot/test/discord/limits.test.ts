import { describe, expect, it } from 'vitest';
import { BusyError, ConcurrencyGate, KeyedSerial } from '../../src/discord/limits/queue.js';
import { limitMessage, RateLimiter } from '../../src/discord/limits/rate-limit.js';
import { EditThrottle } from '../../src/discord/render/throttle.js';

describe('RateLimiter', () => {
  it('limits per user within the window and reopens after it', () => {
    let now = 0;
    const limiter = new RateLimiter(
      { user: { max: 2, windowMs: 1000 }, guild: { max: 100, windowMs: 1000 }, cooldowns: {} },
      () => now,
    );
    expect(limiter.take('u', 'g').ok).toBe(true);
    expect(limiter.take('u', 'g').ok).toBe(true);
    const refused = limiter.take('u', 'g');
    expect(refused).toEqual({ ok: false, retryAfterMs: 1000, reason: 'user' });
    expect(limiter.take('other', 'g').ok).toBe(true);
    now = 1001;
    expect(limiter.take('u', 'g').ok).toBe(true);
    if (!refused.ok) expect(limitMessage(refused)).toContain('try again in 1 second');
  });

  it('limits per guild and applies per-command cooldowns', () => {
    let now = 0;
    const limiter = new RateLimiter(
      { user: { max: 0, windowMs: 1000 }, guild: { max: 3, windowMs: 1000 }, cooldowns: { imagine: 5000 } },
      () => now,
    );
    expect(limiter.take('a', 'g', 'imagine').ok).toBe(true);
    expect(limiter.take('a', 'g', 'imagine')).toMatchObject({ ok: false, reason: 'cooldown', retryAfterMs: 5000 });
    expect(limiter.take('b', 'g').ok).toBe(true);
    expect(limiter.take('c', 'g').ok).toBe(true);
    expect(limiter.take('d', 'g')).toMatchObject({ ok: false, reason: 'guild' });
    now = 5000;
    expect(limiter.take('a', 'g', 'imagine').ok).toBe(true);
  });
});

describe('ConcurrencyGate', () => {
  it('runs at most max at once, queues FIFO and refuses when the queue is full', async () => {
    const gate = new ConcurrencyGate(2, 1);
    const release: (() => void)[] = [];
    const started: number[] = [];
    const job = (i: number) =>
      gate.run(
        () =>
          new Promise<void>((r) => {
            started.push(i);
            release.push(r);
          }),
      );
    const a = job(1);
    const b = job(2);
    const positions: number[] = [];
    const c = gate.run(async () => void started.push(3), { onQueued: (p) => positions.push(p) });
    await expect(job(4)).rejects.toBeInstanceOf(BusyError);
    expect(started).toEqual([1, 2]);
    expect(positions).toEqual([1]);
    release[0]!();
    await a;
    await c;
    expect(started).toEqual([1, 2, 3]);
    release[1]!();
    await b;
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });
});

describe('KeyedSerial', () => {
  it('keeps order per key even when earlier tasks are slower', async () => {
    const serial = new KeyedSerial();
    const done: string[] = [];
    await Promise.all([
      serial.run(
        'c1',
        () =>
          new Promise<void>((r) =>
            setTimeout(() => {
              done.push('c1-a');
              r();
            }, 30),
          ),
      ),
      serial.run('c1', async () => void done.push('c1-b')),
      serial.run('c2', async () => void done.push('c2-a')),
    ]);
    expect(done.indexOf('c1-a')).toBeLessThan(done.indexOf('c1-b'));
    expect(done.indexOf('c2-a')).toBeLessThan(done.indexOf('c1-b'));
  });
});

describe('EditThrottle', () => {
  it('coalesces pushes to the latest value and flush delivers it', async () => {
    const sent: string[] = [];
    const throttle = new EditThrottle<string>(10_000, async (v) => void sent.push(v));
    throttle.push('a');
    await new Promise((r) => setTimeout(r, 20));
    throttle.push('b');
    throttle.push('c');
    await throttle.flush();
    expect(sent).toEqual(['a', 'c']);
  });
});
