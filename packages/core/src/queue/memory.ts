import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
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

type State = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

interface MemJob {
  id: string;
  name: string;
  data: unknown;
  attempts: number;
  backoffMs: number;
  attempt: number;
  createdAt: number;
  state: State;
  result?: unknown;
  error?: string;
  controller?: AbortController;
  timer?: NodeJS.Timeout;
}

/** Finished jobs kept for idempotency and `result()`; older ones are forgotten. */
const KEEP_FINISHED = 1000;

/** The default queue: jobs live in this process's memory and run on its workers. */
export class InProcessQueue implements JobQueue {
  readonly kind = 'memory' as const;
  private readonly jobs = new Map<string, MemJob>();
  private readonly waiting: MemJob[] = [];
  private readonly events = new EventEmitter();
  private readonly workers = new Set<MemWorker>();
  private finished: string[] = [];

  constructor(readonly name: string) {
    this.events.setMaxListeners(0);
  }

  async add(name: string, data: unknown, options: AddJobOptions = {}): Promise<string> {
    if (options.jobId !== undefined) checkJobId(options.jobId);
    const id = options.jobId ?? randomUUID();
    if (this.jobs.has(id)) return id;
    const job: MemJob = {
      id,
      name,
      // a copy, as Redis would store it: the caller's later changes do not reach the job
      data: structuredClone(data),
      attempts: Math.max(1, options.attempts ?? 3),
      backoffMs: options.backoffMs ?? 1000,
      attempt: 0,
      createdAt: Date.now(),
      state: 'waiting',
    };
    this.jobs.set(id, job);
    this.waiting.push(job);
    this.pump();
    return id;
  }

  async cancel(jobId: string, reason = 'cancelled by request'): Promise<boolean> {
    const job = this.jobs.get(jobId);
    if (!job || job.state === 'completed' || job.state === 'failed') return false;
    const error = `${CANCELLED_PREFIX}: ${reason}`;
    if (job.state === 'active') {
      job.error = error;
      job.controller?.abort(new Error(error));
      return true;
    }
    clearTimeout(job.timer);
    const i = this.waiting.indexOf(job);
    if (i >= 0) this.waiting.splice(i, 1);
    this.finish(job, 'failed', { error });
    return true;
  }

  result(jobId: string, timeoutMs = 60_000): Promise<unknown> {
    const job = this.jobs.get(jobId);
    if (!job) return Promise.reject(new Error(`No job "${jobId}" in queue "${this.name}"`));
    if (job.state === 'completed') return Promise.resolve(job.result);
    if (job.state === 'failed') return Promise.reject(new Error(job.error));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`Job "${jobId}" did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on((e) => {
        if (e.jobId !== jobId) return;
        if (e.type === 'completed') resolve(e.result);
        else if (e.type === 'failed' && e.final) reject(new Error(e.error));
        else return;
        clearTimeout(timer);
        off();
      });
    });
  }

  on(listener: (event: JobEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return [...this.jobs.values()]
      .filter((j) => j.state === 'failed' && !j.error?.startsWith(CANCELLED_PREFIX))
      .map((j) => ({ id: j.id, name: j.name, data: j.data, error: j.error ?? '', attempts: j.attempt }));
  }

  async counts(): Promise<QueueCounts> {
    const c: QueueCounts = { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 };
    for (const j of this.jobs.values()) c[j.state]++;
    return c;
  }

  work(handlers: Record<string, JobHandler> | JobHandler, options: WorkOptions = {}): JobWorker {
    const worker = new MemWorker(this, handlers, Math.max(1, options.concurrency ?? 1));
    this.workers.add(worker);
    queueMicrotask(() => this.pump());
    return worker;
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.drain(0)));
    for (const j of this.jobs.values()) clearTimeout(j.timer);
  }

  /** @internal Hands waiting jobs to workers with free slots. */
  pump(): void {
    for (const w of this.workers) {
      while (w.free() && this.waiting.length) w.start(this.waiting.shift() as MemJob);
    }
  }

  /** @internal */
  removeWorker(w: MemWorker): void {
    this.workers.delete(w);
  }

  /** @internal */
  emit(event: JobEvent): void {
    this.events.emit('event', event);
  }

  /** @internal Records a run's outcome: retry later, or finish. */
  settle(job: MemJob, outcome: { result: unknown } | { error: string; retryable: boolean }): void {
    job.controller = undefined;
    if ('result' in outcome) {
      this.finish(job, 'completed', outcome);
      return;
    }
    if (!outcome.retryable || job.attempt >= job.attempts) {
      this.finish(job, 'failed', { error: outcome.error });
      return;
    }
    this.emit({ type: 'failed', jobId: job.id, error: outcome.error, final: false });
    job.state = 'delayed';
    job.timer = setTimeout(
      () => {
        job.state = 'waiting';
        this.waiting.push(job);
        this.pump();
      },
      job.backoffMs * 2 ** (job.attempt - 1),
    );
    job.timer.unref?.();
  }

  /** @internal Puts a job that a draining worker gave up on back in line, not counting the attempt. */
  requeue(job: MemJob): void {
    job.controller = undefined;
    job.attempt--;
    job.state = 'waiting';
    this.waiting.unshift(job);
    this.pump();
  }

  private finish(job: MemJob, state: 'completed' | 'failed', out: { result?: unknown; error?: string }): void {
    job.state = state;
    job.result = out.result;
    job.error = out.error;
    this.emit(
      state === 'completed'
        ? { type: 'completed', jobId: job.id, result: out.result }
        : { type: 'failed', jobId: job.id, error: out.error ?? '', final: true },
    );
    this.finished.push(job.id);
    if (this.finished.length > KEEP_FINISHED * 2) {
      for (const id of this.finished.splice(0, this.finished.length - KEEP_FINISHED)) this.jobs.delete(id);
    }
  }
}

class MemWorker implements JobWorker {
  private readonly active = new Set<Promise<void>>();
  private readonly running = new Map<MemJob, AbortController>();
  private stopping = false;
  private drainAborted = false;

  constructor(
    private readonly queue: InProcessQueue,
    private readonly handlers: Record<string, JobHandler> | JobHandler,
    private readonly concurrency: number,
  ) {}

  free(): boolean {
    return !this.stopping && this.active.size < this.concurrency;
  }

  start(job: MemJob): void {
    const controller = new AbortController();
    job.controller = controller;
    job.state = 'active';
    job.attempt++;
    this.running.set(job, controller);
    const run = this.run(job, controller).finally(() => {
      this.active.delete(run);
      this.running.delete(job);
      this.queue.pump();
    });
    this.active.add(run);
  }

  private async run(job: MemJob, controller: AbortController): Promise<void> {
    const q = this.queue;
    try {
      const handler = handlerFor(this.handlers, job.name);
      const result = await handler({
        id: job.id,
        name: job.name,
        data: job.data,
        attempt: job.attempt,
        maxAttempts: job.attempts,
        createdAt: job.createdAt,
        signal: controller.signal,
        progress: async (value, message) => q.emit({ type: 'progress', jobId: job.id, value, message }),
      });
      if (job.error?.startsWith(CANCELLED_PREFIX)) q.settle(job, { error: job.error, retryable: false });
      else if (this.drainAborted && controller.signal.aborted) q.requeue(job);
      else q.settle(job, { result: result === undefined ? null : result });
    } catch (err) {
      if (job.error?.startsWith(CANCELLED_PREFIX)) q.settle(job, { error: job.error, retryable: false });
      else if (this.drainAborted && controller.signal.aborted) q.requeue(job);
      else q.settle(job, { error: (err as Error)?.message ?? String(err), retryable: !isPermanent(err) });
    }
  }

  async drain(graceMs: number): Promise<boolean> {
    this.stopping = true;
    this.queue.removeWorker(this);
    const all = Promise.all([...this.active]).then(() => true);
    const timedOut = new Promise<boolean>((r) => setTimeout(() => r(false), graceMs).unref?.());
    const inTime = await Promise.race([all, timedOut]);
    if (inTime) return true;
    this.drainAborted = true;
    for (const c of this.running.values()) c.abort(new Error('worker is shutting down'));
    await all;
    return false;
  }
}
