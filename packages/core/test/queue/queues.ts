import { InProcessQueue, type JobQueue, openRedisQueue } from '../../src/queue/index.js';

/** The Redis the tests use (CI and the dev machine run one). */
export const TEST_REDIS_URL = process.env.HEARTH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const KINDS = ['memory', 'redis'] as const;

/** A unique queue name per call, so tests never see each other's jobs. */
export function uniqueName(tag: string): string {
  return `t-${tag}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A queue of `kind`; for Redis a new connection each call (a second process, as far as Redis can tell). */
export function queueOf(kind: 'memory' | 'redis', name: string, lockMs = 2000): Promise<JobQueue> {
  return kind === 'memory'
    ? Promise.resolve(new InProcessQueue(name))
    : openRedisQueue(name, { url: TEST_REDIS_URL, prefix: 'hearth-test', lockMs });
}
