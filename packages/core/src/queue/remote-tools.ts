import { randomUUID } from 'node:crypto';
import { HearthError, PermissionDeniedError, ToolCancelledError, type ToolResult } from '@hearth/sdk';
import type { HearthLogger } from '../log/logger.js';
import { currentRequestId } from '../log/request.js';
import type { CallOptions, RegisteredTool, ToolRegistry } from '../plugins/registry.js';
import { awaitJob } from './await-job.js';
import { decodeToolResult, TOOL_JOB, type ToolJobData, toolJobError } from './tool-jobs.js';
import type { JobQueue } from './types.js';

/** Options of {@link queueTools}. */
export interface QueueToolsOptions {
  registry: ToolRegistry;
  /** The shared queue (`tools`) that `hearth worker` processes consume. */
  queue: JobQueue;
  /** Registry names of the tools whose calls become jobs on `queue` (e.g. `diffusion_imagine`). */
  tools: readonly string[];
  /**
   * Tools whose calls go to a queue of their own instead (tool name -> queue), e.g. the knowledge
   * writers to `ingest`, which exactly one worker consumes. A tool named here is queued even when
   * `tools` omits it, and only here.
   */
  routes?: Readonly<Record<string, JobQueue>>;
  log: HearthLogger;
  /**
   * Longest a call waits for its job, queued and running, before the job is cancelled and the call
   * fails with `timeout` (default 30 min: no worker running shows up as this).
   */
  maxWaitMs?: number;
  /**
   * Runs of a job (default 1: a tool that fails fails the call, as a direct call would). A worker
   * that dies mid-job does not use up a run: its job goes back to the queue for another worker.
   */
  attempts?: number;
}

/** How long adding a job is retried when the queue is unreachable (Redis restarting). */
const ADD_RETRY_MS = 30_000;

/**
 * Makes every call of the named tools (registered now or later) a job on `queue`: the caller's
 * surface waits for the job's result, gets its progress, and cancelling aborts the job wherever
 * it runs. Returns a function that undoes the routing.
 *
 * What stays in the calling process: the checks a direct call makes before running (admin-only
 * access, input validation), so a refused call never becomes a job and fails with the same
 * `permission_denied` / `invalid_input` error. Errors from the worker come back as the same
 * HearthError codes. Each call is one job with its own id, so retrying an add cannot run it twice;
 * the current request id rides in the job.
 */
export function queueTools(options: QueueToolsOptions): () => void {
  const routes = new Map<string, JobQueue>(options.tools.map((t) => [t, options.queue]));
  for (const [tool, queue] of Object.entries(options.routes ?? {})) routes.set(tool, queue);
  const logs = new Map<JobQueue, HearthLogger>();
  for (const queue of new Set(routes.values())) {
    const log = options.log.child({ area: 'queue', queue: queue.name });
    logs.set(queue, log);
    const tools = [...routes].filter(([, q]) => q === queue).map(([t]) => t);
    log.info({ tools }, `queue: these tools run as jobs on the "${queue.name}" queue`);
  }
  return options.registry.wrapInvoke(
    (tool) => routes.has(tool.name),
    (tool) => {
      const queue = routes.get(tool.name) as JobQueue;
      const routed = { ...options, queue };
      return (input, call) => callAsJob(tool, input, call, routed, logs.get(queue) as HearthLogger);
    },
  );
}

async function callAsJob(
  tool: RegisteredTool,
  input: unknown,
  call: CallOptions,
  options: QueueToolsOptions,
  log: HearthLogger,
): Promise<ToolResult> {
  precheck(tool, input, call);
  const { queue } = options;
  const jobId = `call-${randomUUID()}`;
  const requestId = currentRequestId();
  const data: ToolJobData = {
    tool: tool.name,
    input: input ?? {},
    caller: call.caller,
    ...(call.timeoutMs !== undefined ? { timeoutMs: call.timeoutMs } : {}),
    ...(requestId ? { requestId } : {}),
  };
  // listen before adding: a fast worker's first progress can beat the add's reply
  const off = queue.on((e) => {
    if (e.jobId !== jobId || e.type !== 'progress' || !call.onProgress) return;
    try {
      call.onProgress(e.value, e.message);
    } catch {
      // a surface's renderer failing must not fail the call
    }
  });
  const abort = new AbortController();
  const onAbort = () => abort.abort(call.signal?.reason);
  call.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (call.signal?.aborted) throw new ToolCancelledError(tool.name, reasonText(call.signal.reason));
    await addOnce(queue, jobId, data, options.attempts ?? 1, abort.signal);
    log.debug({ jobId, tool: tool.name, requestId }, 'queue: call queued');
    return decodeToolResult(await waitFor(queue, jobId, tool.name, options.maxWaitMs ?? 1_800_000, abort.signal, log));
  } catch (err) {
    if (abort.signal.aborted) {
      void queue
        .cancel(jobId, reasonText(call.signal?.reason) ?? 'the caller cancelled')
        .catch((e) => log.warn({ jobId, err: (e as Error).message }, 'queue: could not cancel a job'));
      throw new ToolCancelledError(tool.name, reasonText(call.signal?.reason));
    }
    throw err;
  } finally {
    off();
    call.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Runs the checks a direct call makes before the tool starts (the tool's own `check`: access, then
 * input), here, so a refused call never becomes a job. Tools without one (external MCP servers)
 * get the access check only; their server validates the input.
 */
function precheck(tool: RegisteredTool, input: unknown, call: CallOptions): void {
  if (tool.check) tool.check(input, call.caller);
  else if (tool.access === 'admin' && !call.caller.isAdmin) {
    throw new PermissionDeniedError(`"${tool.name}" is for server admins only.`, { reason: 'access' });
  }
}

/** Adds the job, retrying while the queue is unreachable; the fixed id makes a retried add a no-op. */
async function addOnce(
  queue: JobQueue,
  jobId: string,
  data: ToolJobData,
  attempts: number,
  signal: AbortSignal,
): Promise<void> {
  const end = Date.now() + ADD_RETRY_MS;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      await queue.add(TOOL_JOB, data, { jobId, attempts });
      return;
    } catch (err) {
      if (signal.aborted || Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Waits for the job's result; a failure becomes the HearthError a direct call gives. */
function waitFor(
  queue: JobQueue,
  jobId: string,
  tool: string,
  maxWaitMs: number,
  signal: AbortSignal,
  log: HearthLogger,
): Promise<unknown> {
  return awaitJob(queue, jobId, {
    maxWaitMs,
    signal,
    timedOut: () =>
      new HearthError(
        'timeout',
        `Tool "${tool}" did not finish within ${Math.round(maxWaitMs / 1000)} s on the job queue "${queue.name}" ` +
          '(is a `hearth worker` running?). The job was cancelled.',
      ),
    failed: (message) => {
      log.debug({ jobId, tool, error: message }, 'queue: job failed');
      return toolJobError(message, tool);
    },
  });
}

function reasonText(reason: unknown): string | undefined {
  if (reason === undefined) return undefined;
  return reason instanceof Error ? reason.message : String(reason);
}
