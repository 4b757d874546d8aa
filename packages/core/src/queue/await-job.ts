import type { JobQueue } from './types.js';

/** How often a waiting caller re-reads its job's state, in case an event was missed while Redis was away. */
const RECHECK_MS = 5_000;

/** Options of {@link awaitJob}. */
export interface AwaitJobOptions {
  /** Longest wait, queued and running; then the job is cancelled and `timedOut()` is thrown. */
  maxWaitMs: number;
  /** Aborting stops the wait with the signal's reason (cancelling the job is the caller's choice). */
  signal?: AbortSignal;
  timedOut(): Error;
  /** The error to throw for the job's failure message. */
  failed(message: string): Error;
}

/** Waits for a job's result on behalf of the process that added it (tool calls, `hearth ingest`). */
export async function awaitJob(queue: JobQueue, jobId: string, options: AwaitJobOptions): Promise<unknown> {
  const { signal } = options;
  const end = Date.now() + options.maxWaitMs;
  const aborted = new Promise<never>((_, reject) => {
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  aborted.catch(() => {});
  const notYet = `Job "${jobId}" did not finish within`;
  while (!signal?.aborted) {
    const left = end - Date.now();
    if (left <= 0) {
      void queue.cancel(jobId, 'the caller stopped waiting').catch(() => {});
      throw options.timedOut();
    }
    try {
      return await Promise.race([queue.result(jobId, Math.min(RECHECK_MS, left)), aborted]);
    } catch (err) {
      if (signal?.aborted) throw err;
      const message = (err as Error)?.message ?? String(err);
      if (message.startsWith(notYet)) continue; // re-read the state: covers events missed during a reconnect
      throw options.failed(message);
    }
  }
  throw signal?.reason;
}
