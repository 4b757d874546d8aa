import {
  type Caller,
  HearthError,
  OutputValidationError,
  PermissionDeniedError,
  type ResultPart,
  ToolCancelledError,
  ToolFailedError,
  type ToolResult,
  ToolTimeoutError,
  ValidationError,
} from '@hearth/sdk';
import type { HearthLogger } from '../log/logger.js';
import { currentRequestId, withRequestId } from '../log/request.js';
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
  /** The producer's request id: the worker runs the call inside it, so its log lines carry it. */
  requestId?: string;
}

/**
 * The handler `hearth worker` runs for `tool` jobs: the call goes through the registry (and so
 * the permission checks, validation and time limit), progress and cancellation are relayed, and
 * its latency lands in `hearth_job_duration_seconds`. With `records`, each job's end (completed,
 * dead after its last attempt, or cancelled) is written to the database's job records.
 *
 * The call runs in this process even where the registry routes the tool to the queue
 * ({@link ToolRegistry.callLocal}): a job is never queued again.
 *
 * The job's result is the tool's {@link ToolResult} with binary parts in base64 (see
 * {@link encodeToolResult}); a failure's message starts with the HearthError code (`timeout: …`),
 * so the producer can rebuild the same error a direct call gives ({@link toolJobError}).
 */
export function toolJobHandler(
  registry: ToolRegistry,
  queueName: string,
  records?: JobRecords,
  log?: HearthLogger,
): JobHandler {
  return async (job) => {
    const data = job.data as Partial<ToolJobData>;
    if (!data || typeof data.tool !== 'string' || !data.caller) {
      throw new PermanentJobError(`invalid_input: job ${job.id}: a "${TOOL_JOB}" job needs { tool, input, caller }`);
    }
    const tool = data.tool;
    return withRequestId(data.requestId, async () => {
      const start = performance.now();
      let outcome: Outcome = 'error';
      let final = true;
      let error: string | undefined;
      log?.debug({ jobId: job.id, tool, attempt: job.attempt, requestId: currentRequestId() }, 'job: started');
      try {
        const result = await registry.callLocal(tool, data.input ?? {}, {
          caller: data.caller as Caller,
          signal: job.signal,
          timeoutMs: data.timeoutMs,
          onProgress: (fraction, message) => void job.progress(fraction, message).catch(() => {}),
        });
        outcome = 'ok';
        return encodeToolResult(result);
      } catch (err) {
        const code = errorCode(err);
        error = `${code}: ${(err as Error)?.message ?? String(err)}`;
        if (PERMANENT_CODES.has(code)) throw new PermanentJobError(error);
        if (job.signal.aborted && String(job.signal.reason?.message ?? job.signal.reason).startsWith(CANCELLED_PREFIX))
          outcome = 'cancelled';
        else final = job.attempt >= job.maxAttempts;
        throw new Error(error, { cause: err });
      } finally {
        const seconds = (performance.now() - start) / 1000;
        metrics().jobFinished(queueName, tool, seconds, outcome);
        log?.info(
          {
            jobId: job.id,
            tool,
            attempt: job.attempt,
            outcome,
            ms: Math.round(seconds * 1000),
            requestId: currentRequestId(),
          },
          'job: finished',
        );
        // one record per job, written when it ends for good (a retried attempt is not an end)
        if (records && final) {
          const state: JobRecord['state'] =
            outcome === 'ok' ? 'completed' : outcome === 'cancelled' ? 'cancelled' : 'dead';
          await records
            .record({
              id: job.id,
              queue: queueName,
              name: tool,
              state,
              attempts: job.attempt,
              ...(error !== undefined ? { error } : {}),
              createdAt: job.createdAt,
              finishedAt: Date.now(),
            })
            .catch(() => {}); // a record is bookkeeping: it never fails the job
        }
      }
    });
  };
}

/** A HearthError's code, or `tool_failed` for anything else. */
function errorCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^[a-z]+(_[a-z]+)*$/.test(code) ? code : 'tool_failed';
}

/** A binary part as it travels in a job result: the bytes in base64. */
interface EncodedBytes {
  base64: string;
}

/**
 * A tool result made JSON-safe: the bytes of image and file parts become `{ base64 }`, since
 * Redis stores results as JSON (a Uint8Array would arrive as an object of numbered keys).
 * Base64 inline, not files in the data folder, so a worker needs no disk shared with the caller.
 */
export function encodeToolResult(result: ToolResult): unknown {
  return {
    ...result,
    content: result.content.map((part) =>
      'data' in part && part.data instanceof Uint8Array
        ? { ...part, data: { base64: Buffer.from(part.data).toString('base64') } satisfies EncodedBytes }
        : part,
    ),
  };
}

/** Inverse of {@link encodeToolResult}: the result exactly as a direct call returns it. */
export function decodeToolResult(value: unknown): ToolResult {
  const result = value as ToolResult;
  if (!result || !Array.isArray(result.content)) {
    throw new TypeError('a tool job returned something that is not a tool result ({ content: [...] })');
  }
  return {
    ...result,
    content: result.content.map((part) => {
      const data = (part as { data?: unknown }).data as EncodedBytes | undefined;
      if (!data || typeof data !== 'object' || typeof data.base64 !== 'string') return part;
      const bytes = Buffer.from(data.base64, 'base64');
      return { ...part, data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) } as ResultPart;
    }),
  };
}

/**
 * The error a direct call would have thrown, rebuilt from a failed tool job's message
 * (`<code>: <message>`, see {@link toolJobHandler}); a message without a code (a queue-level
 * failure such as a job lost by its workers) becomes `tool_failed` naming the tool.
 */
export function toolJobError(message: string, tool: string): HearthError {
  const m = /^([a-z]+(?:_[a-z]+)*): ([\s\S]*)$/.exec(message);
  if (!m) return new ToolFailedError(tool, new Error(message));
  const [, code, text] = m as unknown as [string, string, string];
  const keep = <E extends HearthError>(err: E): E => Object.assign(err, { message: text });
  switch (code) {
    case 'invalid_input':
      return new ValidationError(text);
    case 'invalid_output':
      return new OutputValidationError(text);
    case 'permission_denied':
      return new PermissionDeniedError(text);
    case 'timeout':
      return keep(new ToolTimeoutError(tool, 0));
    case 'cancelled':
      // the queue's own cancel message is `cancelled: <reason>`; a tool's is already a sentence
      return text.startsWith('Tool "') ? keep(new ToolCancelledError(tool)) : new ToolCancelledError(tool, text);
    case 'tool_failed':
      return keep(new ToolFailedError(tool, new Error(text)));
    default:
      return new HearthError(code, text);
  }
}
