/** What a job handler receives. */
export interface JobContext<T = unknown> {
  id: string;
  /** The job's kind (a tool name, `ingest`, …): selects the handler. */
  name: string;
  data: T;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  /** Runs allowed in all: a failure on the last one dead-letters the job. */
  maxAttempts: number;
  /** When the job was added (ms since the epoch). */
  createdAt: number;
  /** Aborted when the job is cancelled (from any process) or the worker's drain grace runs out. */
  signal: AbortSignal;
  /** Reports progress (0..1) to every listener, in every process. */
  progress(value: number, message?: string): Promise<void>;
}

/** Runs one job; its return value (JSON) is the job's result. Throwing fails this attempt. */
export type JobHandler = (job: JobContext) => Promise<unknown>;

/** Options of {@link JobQueue.add}. */
export interface AddJobOptions {
  /**
   * Idempotency key: adding a job whose id is already queued, running or recently finished
   * returns that job instead of adding a second one. Letters, digits, `-`, `_`, `.` only.
   */
  jobId?: string;
  /** Runs before the job is dead-lettered (default 3). */
  attempts?: number;
  /** First retry's delay; each later one doubles it (default 1000 ms). */
  backoffMs?: number;
}

/** Something that happened to a job, seen by every process listening on its queue. */
export type JobEvent =
  | { type: 'progress'; jobId: string; value: number; message?: string }
  | { type: 'completed'; jobId: string; result: unknown }
  | { type: 'failed'; jobId: string; error: string; final: boolean };

/** A job that failed all its attempts (cancelled jobs are not dead letters). */
export interface DeadLetter {
  id: string;
  name: string;
  data: unknown;
  error: string;
  attempts: number;
}

/** Jobs by state. */
export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
}

/** Options of {@link JobQueue.work}. */
export interface WorkOptions {
  /** Jobs run at once by this worker (default 1). */
  concurrency?: number;
}

/** A running consumer of a queue. */
export interface JobWorker {
  /**
   * Stops taking jobs and waits for running ones; after `graceMs` their signals abort (a cancelled
   * job is not retried elsewhere; an aborted-by-drain one is). Resolves true when all finished in time.
   */
  drain(graceMs: number): Promise<boolean>;
}

/** Error message of a job stopped by {@link JobQueue.cancel}. */
export const CANCELLED_PREFIX = 'cancelled';

/**
 * A named job queue: in-process by default, Redis (BullMQ) when `HEARTH_REDIS_URL` is set so
 * several processes and machines share it. Failed attempts are retried with exponential backoff;
 * a job that fails every attempt lands in the dead-letter list.
 */
export interface JobQueue {
  readonly name: string;
  readonly kind: 'memory' | 'redis';
  /** Adds a job; resolves to its id (an existing job's when `jobId` is already known). */
  add(name: string, data: unknown, options?: AddJobOptions): Promise<string>;
  /** Cancels a waiting or running job wherever it runs; false when it is unknown or already finished. */
  cancel(jobId: string, reason?: string): Promise<boolean>;
  /** Waits for a job's result; rejects with its error when it fails for good or is cancelled. */
  result(jobId: string, timeoutMs?: number): Promise<unknown>;
  /** Listens to every job of the queue; returns the unsubscribe function. */
  on(listener: (event: JobEvent) => void): () => void;
  deadLetters(): Promise<DeadLetter[]>;
  counts(): Promise<QueueCounts>;
  /** Starts processing in this process with one handler per job name (or one for all). */
  work(handlers: Record<string, JobHandler> | JobHandler, options?: WorkOptions): JobWorker;
  /** Closes connections (after draining this queue's workers with no grace). */
  close(): Promise<void>;
}

/** Validates an idempotency key (BullMQ forbids `:` and all-digit ids; both engines agree). */
export function checkJobId(id: string): void {
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(id) || /^\d+$/.test(id)) {
    throw new Error(`Job id "${id.slice(0, 80)}" must be 1-200 letters, digits, "-", "_" or "." and not only digits`);
  }
}

/** Picks the handler for a job, or throws naming the job kind. */
export function handlerFor(handlers: Record<string, JobHandler> | JobHandler, name: string): JobHandler {
  if (typeof handlers === 'function') return handlers;
  const h = handlers[name];
  if (!h)
    throw new Error(`No handler for job "${name}" on this worker (it handles: ${Object.keys(handlers).join(', ')})`);
  return h;
}

/**
 * Thrown by a handler for a failure another attempt cannot fix (bad input, no permission): the
 * job fails at once, without retries, and is dead-lettered.
 */
export class PermanentJobError extends Error {
  readonly permanent = true;
}

/** True for errors that must not be retried. */
export function isPermanent(err: unknown): boolean {
  return !!err && typeof err === 'object' && (err as { permanent?: unknown }).permanent === true;
}
