import { randomUUID } from 'node:crypto';
import { type ConnectionOptions, type Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { redactUrl } from '../log/redact.js';
import { type IoRedisClient, ioredis } from './ioredis.js';
import {
  type AddJobOptions,
  CANCELLED_PREFIX,
  checkJobId,
  type DeadLetter,
  handlerFor,
  isPermanent,
  type JobEvent,
  type JobHandler,
  type JobQueue,
  type JobWorker,
  type QueueCounts,
  type WorkOptions,
} from './types.js';

/** Options of {@link openRedisQueue}. */
export interface RedisQueueOptions {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://…` (TLS). */
  url: string;
  /** Key prefix (default `hearth`): several deployments can share one Redis. */
  prefix?: string;
  /**
   * How long a worker's claim on a job lasts without renewal (default 30 s). A worker that dies
   * (kill -9, lost machine) loses its jobs to another worker after about this long.
   */
  lockMs?: number;
  /** How long a finished job stays known, for idempotent ids and `result()` (default 24 h). */
  keepFinishedMs?: number;
  /** How long to wait for Redis at open (default 5000 ms). */
  connectTimeoutMs?: number;
}

/** ioredis options from a `redis://` URL (BullMQ needs `maxRetriesPerRequest: null` for blocking calls). */
export function redisConnection(url: string): Record<string, unknown> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`HEARTH_REDIS_URL is not a URL: "${redactUrl(url)}" (want redis://host:6379)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new Error(`HEARTH_REDIS_URL must start with redis:// or rediss://, not "${redactUrl(url)}"`);
  }
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: db ? Number(db) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/**
 * Opens a queue on Redis (BullMQ), checking the connection first so a wrong URL fails at start
 * with a message naming Redis.
 */
export async function openRedisQueue(name: string, options: RedisQueueOptions): Promise<JobQueue> {
  const connect = connector(redisConnection(options.url));
  const prefix = options.prefix ?? 'hearth';
  const queue = new Queue(name, { connection: connect(), prefix });
  const events = new QueueEvents(name, { connection: connect(), prefix });
  // every waiting caller adds listeners (BullMQ's waitUntilFinished): many at once is normal
  queue.setMaxListeners(0);
  events.setMaxListeners(0);
  // ioredis retries for ever in the background; errors surface through the readiness check below
  queue.on('error', () => {});
  events.on('error', () => {});
  const ready = Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`no answer within ${options.connectTimeoutMs ?? 5000} ms`)),
      options.connectTimeoutMs ?? 5000,
    ).unref(),
  );
  try {
    await Promise.race([ready, timeout]);
  } catch (err) {
    // close() waits for a connection that never came: drop the sockets and do not wait
    connect.closeAll();
    void Promise.allSettled([queue.close(), events.close()]);
    throw new Error(
      `Redis at ${redactUrl(options.url)} is not reachable: ${(err as Error).message}. ` +
        'Start it, fix HEARTH_REDIS_URL, or unset it to use the in-process queue.',
    );
  }
  return new RedisQueue(name, queue, events, connect, prefix, options);
}

class RedisQueue implements JobQueue {
  readonly kind = 'redis' as const;
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly workers = new Set<RedisWorker>();
  private readonly keepFinishedS: number;

  constructor(
    readonly name: string,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly connect: Connector,
    private readonly prefix: string,
    private readonly options: RedisQueueOptions,
  ) {
    this.keepFinishedS = Math.ceil((options.keepFinishedMs ?? 86_400_000) / 1000);
    events.on('progress', ({ jobId, data }) => {
      const p = (typeof data === 'object' && data ? data : { value: data }) as { value: number; message?: string };
      this.emit({ type: 'progress', jobId, value: Number(p.value), message: p.message });
    });
    events.on('completed', ({ jobId, returnvalue }) => {
      this.emit({ type: 'completed', jobId, result: parseMaybe(returnvalue) });
    });
    events.on('failed', ({ jobId, failedReason }) => {
      this.emit({ type: 'failed', jobId, error: failedReason, final: true });
    });
  }

  /** Redis key that marks a job cancelled, read by whichever worker runs it. */
  cancelKey(jobId: string): string {
    return `${this.prefix}:${this.name}:cancel:${jobId}`;
  }

  /** Pub/sub channel that tells running workers to abort a job now. */
  get cancelChannel(): string {
    return `${this.prefix}:${this.name}:cancel`;
  }

  async add(name: string, data: unknown, options: AddJobOptions = {}): Promise<string> {
    if (options.jobId !== undefined) checkJobId(options.jobId);
    const job = await this.queue.add(name, data, {
      jobId: options.jobId ?? randomUUID(),
      attempts: Math.max(1, options.attempts ?? 3),
      backoff: { type: 'exponential', delay: options.backoffMs ?? 1000 },
      removeOnComplete: { age: this.keepFinishedS },
      removeOnFail: { age: this.keepFinishedS * 7 },
    });
    return job.id as string;
  }

  async cancel(jobId: string, reason = 'cancelled by request'): Promise<boolean> {
    const job = await this.queue.getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    if (state === 'completed' || state === 'failed' || state === 'unknown') return false;
    const error = `${CANCELLED_PREFIX}: ${reason}`;
    const client = await redisClientOf(this.queue);
    // the key catches a job not yet running (checked when it starts); the message aborts a running one
    await client.set(this.cancelKey(jobId), error, { EX: this.keepFinishedS });
    await client.publish(this.cancelChannel, JSON.stringify({ jobId, error }));
    return true;
  }

  async result(jobId: string, timeoutMs = 60_000): Promise<unknown> {
    const job = await this.queue.getJob(jobId);
    if (!job) throw new Error(`No job "${jobId}" in queue "${this.name}"`);
    try {
      return parseMaybe(await job.waitUntilFinished(this.events, timeoutMs));
    } catch (err) {
      const msg = (err as Error).message;
      if (/timed out/i.test(msg)) throw new Error(`Job "${jobId}" did not finish within ${timeoutMs} ms`);
      throw new Error(msg);
    }
  }

  on(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: JobEvent): void {
    for (const l of this.listeners) l(event);
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const failed = await this.queue.getFailed(0, 999);
    return failed
      .filter((j): j is Job => !!j && !j.failedReason?.startsWith(CANCELLED_PREFIX))
      .map((j) => ({
        id: j.id as string,
        name: j.name,
        data: j.data,
        error: j.failedReason,
        attempts: j.attemptsMade,
      }));
  }

  async counts(): Promise<QueueCounts> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
    return {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
      active: c.active ?? 0,
      delayed: c.delayed ?? 0,
      completed: c.completed ?? 0,
      failed: c.failed ?? 0,
    };
  }

  work(handlers: Record<string, JobHandler> | JobHandler, options: WorkOptions = {}): JobWorker {
    const w = new RedisWorker(this, handlers, options.concurrency ?? 1, this.connect(), this.prefix, this.options);
    this.workers.add(w);
    return w;
  }

  forget(w: RedisWorker): void {
    this.workers.delete(w);
  }

  client(): Promise<RawRedis> {
    return redisClientOf(this.queue);
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.drain(0)));
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.connect.closeAll();
  }
}

class RedisWorker implements JobWorker {
  private readonly worker: Worker;
  private subscriber?: { quit(): Promise<unknown> };

  constructor(
    private readonly owner: RedisQueue,
    handlers: Record<string, JobHandler> | JobHandler,
    concurrency: number,
    connection: ConnectionOptions,
    prefix: string,
    options: RedisQueueOptions,
  ) {
    const lockMs = options.lockMs ?? 30_000;
    this.worker = new Worker(
      owner.name,
      async (job, _token, signal) => {
        const client = await owner.client();
        const cancelled = async () => (await client.get(owner.cancelKey(job.id as string))) ?? undefined;
        const before = await cancelled();
        if (before) throw new UnrecoverableError(before);
        try {
          const result = await handlerFor(
            handlers,
            job.name,
          )({
            id: job.id as string,
            name: job.name,
            data: job.data,
            attempt: (job.attemptsStarted ?? job.attemptsMade) || 1,
            maxAttempts: job.opts.attempts ?? 1,
            createdAt: job.timestamp,
            signal: signal ?? new AbortController().signal,
            progress: (value, message) => job.updateProgress({ value, message }),
          });
          return result === undefined ? null : result;
        } catch (err) {
          // a cancelled job is not retried; any other failure is, with backoff
          const why = await cancelled();
          if (why) throw new UnrecoverableError(why);
          if (isPermanent(err)) throw new UnrecoverableError((err as Error).message);
          throw err;
        }
      },
      {
        connection,
        prefix,
        concurrency,
        lockDuration: lockMs,
        stalledInterval: Math.max(500, Math.floor(lockMs / 2)),
        // after a failed fetch (Redis restarting) retry in 1 s, not BullMQ's 15 s: jobs resume soon after Redis does
        runRetryDelay: 1000,
      },
    );
    this.worker.on('error', () => {});
    this.worker.on('failed', (job, err) => {
      // final failures reach every process through QueueEvents; retries only this one knows
      if (job && job.attemptsMade < (job.opts.attempts ?? 1) && !(err instanceof UnrecoverableError)) {
        owner.emit({ type: 'failed', jobId: job.id as string, error: err.message, final: false });
      }
    });
    void this.listenForCancels();
  }

  private async listenForCancels(): Promise<void> {
    const client = await this.owner.client();
    const sub = client.duplicate();
    this.subscriber = sub;
    sub.on('error', () => {});
    sub.on('message', (_channel: string, message: string) => {
      try {
        const { jobId, error } = JSON.parse(message) as { jobId: string; error: string };
        this.worker.cancelJob(jobId, error);
      } catch {
        // not ours: ignore
      }
    });
    await sub.subscribe(this.owner.cancelChannel);
  }

  /** Resolves once the worker is connected and listening for jobs and cancellations. */
  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  async drain(graceMs: number): Promise<boolean> {
    this.owner.forget(this);
    const closing = this.worker.close();
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      closing.then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (!inTime) {
      this.worker.cancelAllJobs('worker is shutting down');
      await closing;
    }
    await this.subscriber?.quit().catch(() => {});
    return inTime;
  }
}

/** Makes one ioredis connection per BullMQ object (workers and events block on theirs) and closes them all. */
type Connector = (() => ConnectionOptions) & { closeAll(): void };

function connector(options: Record<string, unknown>): Connector {
  const Redis = ioredis();
  const made: IoRedisClient[] = [];
  const connect = () => {
    const c = new Redis(options);
    c.on('error', () => {}); // reconnects on its own; readiness checks report a dead server
    made.push(c);
    return c as unknown as ConnectionOptions;
  };
  return Object.assign(connect, {
    closeAll() {
      for (const c of made.splice(0)) c.disconnect();
    },
  });
}

/** The commands used directly, beside BullMQ's own (cancellation keys and messages). */
interface RawRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options: { EX: number }): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  duplicate(): RawRedis & {
    subscribe(channel: string): Promise<unknown>;
    on(event: string, fn: (...args: never[]) => void): unknown;
    quit(): Promise<unknown>;
  };
}

/** The queue's own Redis connection (BullMQ 6 keeps it on its Redis backend). */
function redisClientOf(queue: Queue): Promise<RawRedis> {
  const backend = queue.backend as unknown as { connection?: { client?: Promise<RawRedis> } };
  if (!backend.connection?.client) throw new Error('BullMQ queue has no Redis connection (a non-Redis backend?)');
  return backend.connection.client;
}

function parseMaybe(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
