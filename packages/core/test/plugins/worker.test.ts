import { threadId } from 'node:worker_threads';
import { HearthError } from '@hearth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, fixture, type Harness, member } from './harness.js';

// One host (and so one worker thread) for the file: starting a thread from sources takes seconds here.
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ grants: {} });
  await h.host.load(fixture('heavy.ts'));
});
afterAll(async () => {
  await h?.close();
});

async function errorOf(p: Promise<unknown>): Promise<HearthError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof HearthError)) throw new Error(`expected a HearthError, got ${String(err)}`);
  return err;
}

describe('PluginHost: worker-thread tools', () => {
  it('runs the tool in another thread that ran its own setup, with progress, logs, storage and binary results', async () => {
    expect(h.host.list()[0]?.workerTools).toEqual([
      'heavy_spin',
      'heavy_chat',
      'heavy_stuck',
      'heavy_bump',
      'heavy_fail',
    ]);
    const progress: [number, string | undefined][] = [];
    const result = await h.registry.call(
      'heavy_spin',
      { ms: 20 },
      { caller: member, onProgress: (f, m) => progress.push([f, m]) },
    );
    const data = result.data as { thread: number; setupThread: number; runs: number };
    expect(data.thread).not.toBe(threadId);
    expect(data.setupThread).toBe(data.thread);
    expect(result.content[1]).toMatchObject({ type: 'image', data: new Uint8Array([137, 80, 78, 71]) });
    expect(progress).toContainEqual([0.5, 'half']);
    const again = await h.registry.call('heavy_spin', { ms: 0 }, { caller: member });
    expect((again.data as { runs: number }).runs).toBe(2);
    const other = await h.registry.call('heavy_spin', { ms: 0 }, { caller: { ...member, guildId: 'g2' } });
    expect((other.data as { runs: number }).runs).toBe(1);
    expect(h.lines.some((l) => l.msg === 'spun' && l.tool === 'spin' && l.plugin === 'heavy')).toBe(true);
  }, 120_000); // the first call starts the thread: seconds from sources, far more on a saturated machine

  it('checks permissions in the main thread: an undeclared service is denied', async () => {
    const err = await errorOf(h.registry.call('heavy_chat', {}, { caller: member }));
    expect(err.code).toBe('permission_denied');
    expect(err.message).toContain('Plugin "heavy" may not use chat models: it does not declare the "models:chat"');
  });

  it('maps a throw inside the worker to a tool error', async () => {
    const err = await errorOf(h.registry.call('heavy_fail', {}, { caller: member }));
    expect(err.message).toBe('Tool "heavy_fail" failed: worker-side failure');
  });

  it('times out an endless synchronous loop, terminates the thread and starts a fresh one for the next call', async () => {
    const err = await errorOf(h.registry.call('heavy_stuck', {}, { caller: member }));
    expect(err.code).toBe('timeout');
    // the grace period (300 ms in the harness) passes, the thread is terminated
    await new Promise((r) => setTimeout(r, 600));
    expect(h.lines.some((l) => l.msg.startsWith('terminating plugin worker thread'))).toBe(true);
    const result = await h.registry.call('heavy_spin', { ms: 0 }, { caller: member });
    expect((result.data as { thread: number }).thread).not.toBe(threadId);
  }, 120_000); // starts a second thread

  it("after a timeout, the very next call runs on a fresh thread instead of inheriting the old one's end", async () => {
    const err = await errorOf(h.registry.call('heavy_stuck', {}, { caller: member }));
    expect(err.code).toBe('timeout');
    // no pause: before the fix this call queued behind the stuck thread and failed with its termination
    const result = await h.registry.call('heavy_spin', { ms: 0 }, { caller: member });
    expect((result.data as { thread: number }).thread).not.toBe(threadId);
  }, 120_000);

  it('after a cancellation, the next call starts at once on a fresh thread', async () => {
    const ac = new AbortController();
    const stuck = h.registry.call('heavy_stuck', {}, { caller: member, signal: ac.signal, timeoutMs: 60_000 });
    setTimeout(() => ac.abort('user pressed stop'), 50);
    expect((await errorOf(stuck)).code).toBe('cancelled');
    const result = await h.registry.call('heavy_spin', { ms: 0 }, { caller: member });
    expect((result.data as { thread: number }).thread).not.toBe(threadId);
  }, 120_000);

  it('storage.update from a worker thread is atomic: the lock is held in the main thread', async () => {
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => h.registry.call('heavy_bump', {}, { caller: { ...member, guildId: 'g9' } })),
    );
    expect(runs.map((r) => Number((r.content[0] as { text: string }).text)).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
  }, 120_000);

  it('validates input in the main thread before anything reaches the worker', async () => {
    const err = await errorOf(h.registry.call('heavy_spin', { ms: 99999 }, { caller: member }));
    expect(err.code).toBe('invalid_input');
  });
});
