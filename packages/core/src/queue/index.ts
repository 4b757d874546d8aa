/**
 * Hearth's job queue: one interface, an in-process implementation (default) and a Redis one
 * (BullMQ, `HEARTH_REDIS_URL`) that several processes and machines share.
 * @packageDocumentation
 */
import { InProcessQueue } from './memory.js';
import { openRedisQueue, type RedisQueueOptions } from './redis.js';
import type { JobQueue } from './types.js';

export { redactUrl } from '../log/redact.js';
export { type IoRedisClient, ioredis } from './ioredis.js';
export { InProcessQueue } from './memory.js';
export { openRedisQueue, type RedisQueueOptions, redisConnection } from './redis.js';
export { type RunWorkerOptions, runWorker } from './run-worker.js';
export * from './types.js';

/** Options of {@link openQueue}. */
export interface OpenQueueOptions extends Partial<Omit<RedisQueueOptions, 'url'>> {
  /** `redis://…` selects the Redis queue; empty selects in-process. Default: `HEARTH_REDIS_URL`. */
  redisUrl?: string;
}

/** Opens queue `name` on Redis when a URL is configured, else in this process. */
export async function openQueue(name: string, options: OpenQueueOptions = {}): Promise<JobQueue> {
  const url = options.redisUrl ?? process.env.HEARTH_REDIS_URL;
  if (!url) return new InProcessQueue(name);
  return openRedisQueue(name, { ...options, url });
}
export {
  INGEST_JOB,
  type IngestJobData,
  type IngestThroughQueueOptions,
  ingestJobHandler,
  ingestThroughQueue,
} from './ingest-jobs.js';
export { type QueueToolsOptions, queueTools } from './remote-tools.js';
export {
  decodeToolResult,
  encodeToolResult,
  TOOL_JOB,
  type ToolJobData,
  toolJobError,
  toolJobHandler,
} from './tool-jobs.js';
