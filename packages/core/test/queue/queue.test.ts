import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent, JobQueue } from '../../src/queue/index.js';
import { KINDS, queueOf, uniqueName } from './queues.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(KINDS)('job queue (%s)', (kind) => {
  const open: JobQueue[] = [];
  const queue = async (name: string) => {
    const q = await queueOf(kind, name);
    open.push(q);
    return q;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((q) => q.close()));
  });

  it('runs a job by name, relays its progress and returns its result', async () => {
    const q = await queue(uniqueName('run'));
    const events: JobEvent[] = [];
    q.on((e) => events.push(e));
    q.work({
      double: async (job) => {
        await job.progress(0.5, 'half');
        return { twice: (job.data as { n: number }).n * 2 };
      },
    });
    const id = await q.add('double', { n: 21 });
    expect(await q.result(id, 10_000)).toEqual({ twice: 42 });
    await sleep(100); // events arrive through their own connection
    expect(events).toContainEqual({ type: 'progress', jobId: id, value: 0.5, message: 'half' });
    expect(events).toContainEqual({ type: 'completed', jobId: id, result: { twice: 42 } });
  });

  it('retries a failing job with exponential backoff, then succeeds', async () => {
    const q = await queue(uniqueName('retry'));
    const seen: { attempt: number; at: number }[] = [];
    q.work(async (job) => {
      seen.push({ attempt: job.attempt, at: Date.now() });
      if (job.attempt < 3) throw new Error(`flaky ${job.attempt}`);
      return 'ok';
    });
    const id = await q.add('flaky', {}, { attempts: 3, backoffMs: 100 });
    expect(await q.result(id, 10_000)).toBe('ok');
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(90);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(190); // doubled
    expect(await q.deadLetters()).toEqual([]);
  });

  it('dead-letters a job that fails every attempt, with its last error', async () => {
    const q = await queue(uniqueName('dead'));
    q.work(async (job) => {
      throw new Error(`broken on try ${job.attempt}`);
    });
    const id = await q.add('broken', { x: 1 }, { attempts: 2, backoffMs: 10 });
    await expect(q.result(id, 10_000)).rejects.toThrow('broken on try 2');
    expect(await q.deadLetters()).toEqual([
      { id, name: 'broken', data: { x: 1 }, error: 'broken on try 2', attempts: 2 },
    ]);
    expect((await q.counts()).failed).toBe(1);
  });

  it('an idempotent job id runs the job once however often it is added', async () => {
    const name = uniqueName('idem');
    const q = await queue(name);
    const q2 = await queue(name); // another producer
    let runs = 0;
    q.work(async () => {
      runs++;
      await sleep(50);
      return runs;
    });
    const ids = await Promise.all([q.add('once', {}, { jobId: 'order-7' }), q2.add('once', {}, { jobId: 'order-7' })]);
    expect(ids).toEqual(['order-7', 'order-7']);
    expect(await q.result('order-7', 10_000)).toBe(1);
    await q.add('once', {}, { jobId: 'order-7' }); // after it finished: still known
    await sleep(200);
    expect(runs).toBe(1);
  });

  it('rejects a malformed job id with the rule', async () => {
    const q = await queue(uniqueName('bad'));
    await expect(q.add('x', {}, { jobId: 'a:b' })).rejects.toThrow(/Job id "a:b" must be 1-200 letters, digits/);
    await expect(q.add('x', {}, { jobId: '123' })).rejects.toThrow(/not only digits/);
  });

  it('cancels a running job from another producer: the handler sees the signal, no retry, no dead letter', async () => {
    const name = uniqueName('cancel');
    const q = await queue(name);
    const other = kind === 'memory' ? q : await queue(name);
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    let attempts = 0;
    q.work(async (job) => {
      attempts++;
      started();
      await new Promise((_, reject) => job.signal.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    const id = await q.add('long', {}, { attempts: 3, backoffMs: 10 });
    await running;
    expect(await other.cancel(id, 'user pressed stop')).toBe(true);
    await expect(q.result(id, 10_000)).rejects.toThrow('cancelled: user pressed stop');
    await sleep(100);
    expect(attempts).toBe(1);
    expect(await q.deadLetters()).toEqual([]);
    expect(await other.cancel(id)).toBe(false); // finished: nothing to cancel
  });

  it('a job cancelled while waiting never runs', async () => {
    const q = await queue(uniqueName('cancel-wait'));
    const id = await q.add('later', {});
    expect(await q.cancel(id, 'not needed')).toBe(true);
    let ran = false;
    q.work(async () => {
      ran = true;
    });
    await expect(q.result(id, 10_000)).rejects.toThrow('cancelled: not needed');
    expect(ran).toBe(false);
  });

  it('drain lets a running job finish and takes no new ones', async () => {
    const q = await queue(uniqueName('drain'));
    const done: string[] = [];
    const w = q.work(async (job) => {
      await sleep(300);
      done.push(job.id);
    });
    const a = await q.add('a', {}, { jobId: 'first' });
    await sleep(100);
    expect(await w.drain(5000)).toBe(true);
    expect(done).toEqual([a]);
    await q.add('b', {}, { jobId: 'second' });
    await sleep(300);
    expect(done).toEqual([a]);
    expect((await q.counts()).waiting).toBe(1);
  });
});

describe('opening the Redis queue', () => {
  it('an unreachable Redis fails at open, naming the service, without the password', async () => {
    const { openRedisQueue } = await import('../../src/queue/index.js');
    const err = await openRedisQueue('x', { url: 'redis://:s3cret@127.0.0.1:1', connectTimeoutMs: 500 }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/^Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 is not reachable: no answer within 500 ms/);
    expect(err.message).not.toContain('s3cret');
  });

  it('a URL that is not redis:// is rejected with the fix; without a URL the queue is in-process', async () => {
    const { openQueue } = await import('../../src/queue/index.js');
    await expect(openQueue('x', { redisUrl: 'http://127.0.0.1:6379' })).rejects.toThrow(
      'HEARTH_REDIS_URL must start with redis:// or rediss://, not "http://127.0.0.1:6379/"',
    );
    const q = await openQueue('x', { redisUrl: '' });
    expect(q.kind).toBe('memory');
    await q.close();
  });
});
