import type { Caller } from '@hearth/sdk';
import { metrics, type Outcome } from '../ops/metrics.js';
import type { ToolRegistry } from '../plugins/registry.js';
import type { JobRecord, JobRecords } from '../storage/job-records.js';
import { CANCELLED_PREFIX, type JobHandler, PermanentJobError } from './types.js';

/** Failures a retry cannot fix: the job fails at once. */
const PERMANENT_CODES = new Set(['invalid_input', 'permission_denied', 'invalid_plugin']);

/** Name of jobs that call a tool of the registry. */
export const TOOL_JOB = 'tool';

/**
 * What a `tool` job carries. Producers are Hearth's own surfaces, which have already checked the
 * caller: the worker calls the tool with exactly this caller's permissions.
 */
export interface ToolJobData {
  tool: string;
  input: unknown;
  caller: Caller;
  /** Per-call time limit (default: the registry's). */
  timeoutMs?: number;
}

/**
 * The handler `hearth worker` runs for `tool` jobs: the call goes through the registry (and so
 * the permission checks, validation and time limit), progress and cancellation are relayed, and
 * its latency lands in `hearth_job_duration_seconds`. With `records`, each job's end (completed,
 * dead after its last attempt, or cancelled) is written to the database's job records.
 */
export function toolJobHandler(registry: ToolRegistry, queueName: string, records?: JobRecords): JobHandler {
  return async (job) => {
    const data = job.data as Partial<ToolJobData>;
    if (!data || typeof data.tool !== 'string' || !data.caller) {
      throw new PermanentJobError(`Job ${job.id}: a "${TOOL_JOB}" job needs { tool, input, caller }`);
    }
    const start = performance.now();
    let outcome: Outcome = 'error';
    let final = true;
    let error: string | undefined;
    try {
      const result = await registry.call(data.tool, data.input ?? {}, {
        caller: data.caller,
        signal: job.signal,
        timeoutMs: data.timeoutMs,
        onProgress: (fraction, message) => void job.progress(fraction, message).catch(() => {}),
      });
      outcome = 'ok';
      return result;
    } catch (err) {
      error = (err as Error)?.message ?? String(err);
      if (PERMANENT_CODES.has((err as { code?: string }).code ?? '')) throw new PermanentJobError(error);
      if (job.signal.aborted && String(job.signal.reason?.message ?? job.signal.reason).startsWith(CANCELLED_PREFIX))
        outcome = 'cancelled';
      else final = job.attempt >= job.maxAttempts;
      throw err;
    } finally {
      metrics().jobFinished(queueName, data.tool, (performance.now() - start) / 1000, outcome);
      // one record per job, written when it ends for good (a retried attempt is not an end)
      if (records && final) {
        const state: JobRecord['state'] =
          outcome === 'ok' ? 'completed' : outcome === 'cancelled' ? 'cancelled' : 'dead';
        await records
          .record({
            id: job.id,
            queue: queueName,
            name: data.tool,
            state,
            attempts: job.attempt,
            ...(error !== undefined ? { error } : {}),
            createdAt: job.createdAt,
            finishedAt: Date.now(),
          })
          .catch(() => {}); // a record is bookkeeping: it never fails the job
      }
    }
  };
}
