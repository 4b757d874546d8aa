import { HearthError } from '@hearth/sdk';
import type { LoadResult } from '../knowledge/inputs.js';
import type { IngestReport, KnowledgeScope, KnowledgeStore, ProgressFn } from '../knowledge/types.js';
import type { HearthLogger } from '../log/logger.js';
import { currentRequestId, withRequestId } from '../log/request.js';
import { awaitJob } from './await-job.js';
import { type JobHandler, type JobQueue, PermanentJobError } from './types.js';

/** Job name of an ingest of already-loaded sources, on the knowledge writers' queue (`ingest`). */
export const INGEST_JOB = 'knowledge.ingest';

/** What an {@link INGEST_JOB} carries: parsed sources (text, not files), so the worker needs no access to them. */
export interface IngestJobData {
  loaded: LoadResult[];
  scope?: KnowledgeScope;
  requestId?: string;
}

/** Text per job at most (sources are sent in several jobs above it; one larger source goes alone). */
const BATCH_CHARS = 8_000_000;

/** The worker's side: ingests a job's sources with the one knowledge writer's store. */
export function ingestJobHandler(knowledge: Pick<KnowledgeStore, 'ingestLoaded'>, log?: HearthLogger): JobHandler {
  return async (job) => {
    const data = job.data as Partial<IngestJobData>;
    if (!data || !Array.isArray(data.loaded)) {
      throw new PermanentJobError(`invalid_input: job ${job.id}: a "${INGEST_JOB}" job needs { loaded: [...] }`);
    }
    const loaded = data.loaded as LoadResult[];
    return withRequestId(data.requestId, async () => {
      const start = performance.now();
      const report = await knowledge.ingestLoaded(loaded, {
        scope: data.scope,
        signal: job.signal,
        onProgress: (done, total, label) => void job.progress(done / total, label).catch(() => {}),
      });
      log?.info(
        {
          jobId: job.id,
          job: INGEST_JOB,
          sources: loaded.length,
          added: report.added.length,
          changed: report.changed.length,
          unchanged: report.unchanged.length,
          skipped: report.skipped.length,
          ms: Math.round(performance.now() - start),
          requestId: currentRequestId(),
        },
        'job: finished',
      );
      return report;
    });
  };
}

/** Options of {@link ingestThroughQueue}. */
export interface IngestThroughQueueOptions {
  scope?: KnowledgeScope;
  /** Sources written so far, of all sent. */
  onProgress?: ProgressFn;
  /** Aborting cancels the running job wherever it runs; sources already written stay. */
  signal?: AbortSignal;
  /** Longest wait for one job, queued and running (default 30 min: no ingest worker shows up as this). */
  maxWaitMs?: number;
}

/**
 * The caller's side (`hearth ingest` on a deployment with a shared queue): sends sources it loaded to
 * the one knowledge writer as jobs, waits for each, and merges their reports into one.
 */
export async function ingestThroughQueue(
  queue: JobQueue,
  loaded: LoadResult[],
  options: IngestThroughQueueOptions = {},
): Promise<IngestReport> {
  const report: IngestReport = { added: [], changed: [], unchanged: [], skipped: [] };
  const batches = batchesOf(loaded);
  let done = 0;
  for (const batch of batches) {
    options.signal?.throwIfAborted();
    const data: IngestJobData = { loaded: batch, scope: options.scope, requestId: currentRequestId() };
    const jobId = await queue.add(INGEST_JOB, data, { attempts: 1 });
    const off = queue.on((e) => {
      if (e.jobId === jobId && e.type === 'progress') {
        options.onProgress?.(done + Math.round(e.value * batch.length), loaded.length, e.message);
      }
    });
    try {
      const part = (await waitForJob(queue, jobId, options)) as IngestReport;
      for (const key of ['added', 'changed', 'unchanged', 'skipped'] as const) {
        (report[key] as unknown[]).push(...part[key]);
      }
    } finally {
      off();
    }
    done += batch.length;
    options.onProgress?.(done, loaded.length);
  }
  return report;
}

function batchesOf(loaded: LoadResult[]): LoadResult[][] {
  const batches: LoadResult[][] = [];
  let current: LoadResult[] = [];
  let chars = 0;
  for (const l of loaded) {
    const size = l.ok ? l.source.docs.reduce((a, d) => a + d.text.length, 0) : 0;
    if (current.length && chars + size > BATCH_CHARS) {
      batches.push(current);
      current = [];
      chars = 0;
    }
    current.push(l);
    chars += size;
  }
  if (current.length) batches.push(current);
  return batches;
}

async function waitForJob(queue: JobQueue, jobId: string, options: IngestThroughQueueOptions): Promise<unknown> {
  const maxWaitMs = options.maxWaitMs ?? 1_800_000;
  try {
    return await awaitJob(queue, jobId, {
      maxWaitMs,
      signal: options.signal,
      timedOut: () =>
        new HearthError(
          'timeout',
          `The ingest job did not finish within ${Math.round(maxWaitMs / 1000)} s on the "${queue.name}" queue ` +
            `(is \`hearth worker --queues ${queue.name}\` running?). The job was cancelled.`,
        ),
      failed: (message) => new HearthError('tool_failed', `The ingest worker failed: ${message}`),
    });
  } catch (err) {
    if (!options.signal?.aborted) throw err;
    await queue.cancel(jobId, 'cancelled by the caller').catch(() => {});
    throw new HearthError('cancelled', 'The ingest was cancelled; sources already written stay.');
  }
}
