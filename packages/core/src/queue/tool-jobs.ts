import type { Caller } from '@hearth/sdk';
import { metrics, type Outcome } from '../ops/metrics.js';
import type { ToolRegistry } from '../plugins/registry.js';
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
 * its latency lands in `hearth_job_duration_seconds`.
 */
export function toolJobHandler(registry: ToolRegistry, queueName: string): JobHandler {
  return async (job) => {
    const data = job.data as Partial<ToolJobData>;
    if (!data || typeof data.tool !== 'string' || !data.caller) {
      throw new PermanentJobError(`Job ${job.id}: a "${TOOL_JOB}" job needs { tool, input, caller }`);
    }
    const start = performance.now();
    let outcome: Outcome = 'error';
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
      if (PERMANENT_CODES.has((err as { code?: string }).code ?? ''))
        throw new PermanentJobError((err as Error).message);
      if (job.signal.aborted && String(job.signal.reason?.message ?? job.signal.reason).startsWith(CANCELLED_PREFIX))
        outcome = 'cancelled';
      throw err;
    } finally {
      metrics().jobFinished(queueName, data.tool, (performance.now() - start) / 1000, outcome);
    }
  };
}
