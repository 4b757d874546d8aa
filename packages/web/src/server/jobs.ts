import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Caller, HearthError, type ToolResult } from '@hearth/sdk';

/** A file a job produced, served back only to the user who started the job. */
export interface Artifact {
  id: string;
  name: string;
  mimeType: string;
  bytes: number;
  alt?: string;
}

/** What the page shows of a job: a tool call (or an ingest) running or finished. */
export interface JobView {
  id: string;
  kind: string;
  owner: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  progress: number;
  message?: string;
  startedAt: string;
  endedAt?: string;
  text?: string;
  data?: unknown;
  artifacts: Artifact[];
  error?: string;
}

/** A change to one job, pushed to the page over server-sent events. */
export type JobEvent = { type: 'progress' | 'done'; job: JobView };

interface Job extends JobView {
  controller: AbortController;
}

/**
 * Tool calls and ingests started from the console run as jobs: progress from `ctx.progress`,
 * cancellation through an AbortSignal, images and files kept under `<dataDir>/artifacts/web/`.
 * Memory is bounded: the oldest finished jobs (and their files) go past `maxJobs`.
 */
export class JobBoard {
  private readonly jobs = new Map<string, Job>();
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly dir: string;

  constructor(
    dataDir: string,
    private readonly maxJobs = 200,
  ) {
    this.dir = join(dataDir, 'artifacts', 'web');
    mkdirSync(this.dir, { recursive: true });
  }

  /** Starts `work` as a job owned by `owner`; returns at once with the job's id. */
  start(
    kind: string,
    owner: string,
    work: (signal: AbortSignal, onProgress: (fraction: number, message?: string) => void) => Promise<ToolResult>,
  ): JobView {
    const job = this.create(kind, owner);
    const onProgress = (fraction: number, message?: string) => {
      if (job.status !== 'running') return;
      job.progress = Math.max(job.progress, Math.min(1, fraction));
      job.message = message;
      this.emit({ type: 'progress', job: view(job) });
    };
    void work(job.controller.signal, onProgress).then(
      (result) => this.finish(job, result),
      (err: unknown) => this.fail(job, err),
    );
    this.emit({ type: 'progress', job: view(job) });
    return view(job);
  }

  /** Records an already finished result (e.g. images a chat answer produced) as a done job. */
  record(kind: string, owner: string, result: ToolResult): JobView {
    const job = this.create(kind, owner);
    this.finish(job, result);
    return view(job);
  }

  /** The job if `caller` may see it (its owner, or an admin). */
  get(id: string, caller: Caller): JobView | undefined {
    const job = this.jobs.get(id);
    return job && maySee(job, caller) ? view(job) : undefined;
  }

  /** Jobs `caller` may see, newest first. */
  list(caller: Caller): JobView[] {
    return [...this.jobs.values()]
      .filter((j) => maySee(j, caller))
      .reverse()
      .map(view);
  }

  /** Cancels a running job; false when it is not the caller's or already ended. */
  cancel(id: string, caller: Caller): boolean {
    const job = this.jobs.get(id);
    if (!job || !maySee(job, caller) || job.status !== 'running') return false;
    job.controller.abort(new HearthError('cancelled', 'Cancelled from the web console.'));
    return true;
  }

  /** An artifact's bytes, only for the owner of its job (or an admin). */
  artifact(jobId: string, artifactId: string, caller: Caller): { meta: Artifact; data: Buffer } | undefined {
    const job = this.jobs.get(jobId);
    const meta = job?.artifacts.find((a) => a.id === artifactId);
    if (!job || !meta || !maySee(job, caller)) return undefined;
    return { meta, data: readFileSync(join(this.dir, meta.id)) };
  }

  /** Subscribes to job changes; returns the unsubscribe function. */
  onEvent(listener: (e: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Cancels every running job (server shutdown). */
  cancelAll(): void {
    for (const job of this.jobs.values()) if (job.status === 'running') job.controller.abort();
  }

  private create(kind: string, owner: string): Job {
    const job: Job = {
      id: randomUUID(),
      kind,
      owner,
      status: 'running',
      progress: 0,
      startedAt: new Date().toISOString(),
      artifacts: [],
      controller: new AbortController(),
    };
    this.jobs.set(job.id, job);
    this.prune();
    return job;
  }

  private finish(job: Job, result: ToolResult): void {
    if (job.status !== 'running') return;
    const texts: string[] = [];
    for (const part of result.content) {
      if (part.type === 'text') texts.push(part.text);
      else {
        const id = randomUUID();
        const name = part.type === 'image' ? `${id.slice(0, 8)}.png` : part.name;
        writeFileSync(join(this.dir, id), part.data);
        job.artifacts.push({
          id,
          name,
          mimeType: part.mimeType,
          bytes: part.data.byteLength,
          ...(part.type === 'image' ? { alt: part.alt } : {}),
        });
      }
    }
    job.text = texts.join('\n\n');
    job.data = result.data;
    job.status = 'done';
    job.progress = 1;
    job.endedAt = new Date().toISOString();
    this.emit({ type: 'done', job: view(job) });
  }

  private fail(job: Job, err: unknown): void {
    if (job.status !== 'running') return;
    const cancelled = job.controller.signal.aborted;
    job.status = cancelled ? 'cancelled' : 'failed';
    job.error = cancelled
      ? 'Cancelled.'
      : err instanceof HearthError
        ? err.message
        : `${job.kind} failed unexpectedly; the server log has the details.`;
    job.endedAt = new Date().toISOString();
    this.emit({ type: 'done', job: view(job) });
  }

  private prune(): void {
    for (const job of this.jobs.values()) {
      if (this.jobs.size <= this.maxJobs) break;
      if (job.status === 'running') continue;
      for (const a of job.artifacts) rmSync(join(this.dir, a.id), { force: true });
      this.jobs.delete(job.id);
    }
  }

  private emit(e: JobEvent): void {
    for (const l of this.listeners) l(e);
  }
}

function maySee(job: Job, caller: Caller): boolean {
  return job.owner === caller.userId || caller.isAdmin;
}

function view(job: Job): JobView {
  const { controller: _c, ...rest } = job;
  return { ...rest, artifacts: [...rest.artifacts] };
}
