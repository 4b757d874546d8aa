import type { Caller, ToolContext } from '../context.js';
import {
  HearthError,
  OutputValidationError,
  PermissionDeniedError,
  ToolCancelledError,
  ToolFailedError,
  ToolTimeoutError,
  ValidationError,
} from '../errors.js';
import { type ToolResult, toToolResult } from '../results.js';
import type { AnyToolDefinition } from '../tool.js';

/** Options of one tool call. */
export interface InvokeOptions {
  caller: Caller;
  /** Name shown in errors, e.g. `diffusion_imagine`. */
  displayName: string;
  timeoutMs: number;
  /** Cancels the call (user stop, MCP cancellation, shutdown). */
  signal?: AbortSignal;
  /** Receives throttled progress; never called after the call settles. */
  onProgress?: (fraction: number, message?: string) => void;
  /** Minimum ms between forwarded progress reports (the last report, 1.0, always passes). Default 250. */
  progressIntervalMs?: number;
  /** Builds the tool's ctx from the call's signal and progress function. */
  makeContext: (signal: AbortSignal, progress: (fraction: number, message?: string) => void) => ToolContext;
}

/**
 * The checks a call passes before its tool runs: access (admin-only tools), then the input against
 * the tool's schema. Returns the parsed input; throws {@link PermissionDeniedError} or
 * {@link ValidationError}. A host that hands the call to another process (a job queue) runs these
 * first, so a refused call fails where it was made.
 */
export function checkCall(tool: AnyToolDefinition, rawInput: unknown, caller: Caller, displayName: string): unknown {
  if (tool.access === 'admin' && !caller.isAdmin) {
    throw new PermissionDeniedError(`"${displayName}" is for server admins only.`, { reason: 'access' });
  }
  const parsed = tool.input.safeParse(rawInput ?? {});
  if (!parsed.success)
    throw new ValidationError(`Invalid input for "${displayName}": ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}

/**
 * Runs one tool call safely: access check, input validation, timeout, cancellation, output
 * validation, and every failure mapped to a {@link HearthError} with a clear message. Never throws
 * anything else, and never leaves the plugin's promise unobserved.
 */
export async function invokeTool(tool: AnyToolDefinition, rawInput: unknown, opts: InvokeOptions): Promise<ToolResult> {
  const name = opts.displayName;
  const input = checkCall(tool, rawInput, opts.caller, name);
  if (opts.signal?.aborted) throw new ToolCancelledError(name, reasonText(opts.signal.reason));

  const controller = new AbortController();
  let settled = false;
  let lastProgress = 0;
  const interval = opts.progressIntervalMs ?? 250;
  const progress = (fraction: number, message?: string) => {
    if (settled || !opts.onProgress || !Number.isFinite(fraction)) return;
    const now = performance.now();
    const f = Math.min(1, Math.max(0, fraction));
    if (f < 1 && now - lastProgress < interval) return;
    lastProgress = now;
    try {
      opts.onProgress(f, message === undefined ? undefined : String(message).slice(0, 200));
    } catch {
      // a surface's renderer failing must not fail the tool
    }
  };

  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new ToolTimeoutError(name, opts.timeoutMs);
      controller.abort(err);
      reject(err);
    }, opts.timeoutMs);
    onAbort = () => {
      const err = new ToolCancelledError(name, reasonText(opts.signal?.reason));
      controller.abort(err);
      reject(err);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });

  try {
    const running = Promise.resolve().then(() => tool.run(input, opts.makeContext(controller.signal, progress)));
    running.catch(() => {}); // observed here: a late rejection after a timeout must not become unhandled
    const value = await Promise.race([running, stopped]);
    const result = toToolResult(value);
    if (tool.output && result.data !== undefined) {
      const out = tool.output.safeParse(result.data);
      if (!out.success)
        throw new OutputValidationError(
          `"${name}" returned data that does not match its output schema: ${describeIssues(out.error.issues)}`,
        );
      result.data = out.data;
    }
    return result;
  } catch (err) {
    if (err instanceof HearthError) throw err;
    if (controller.signal.aborted && controller.signal.reason instanceof HearthError) throw controller.signal.reason;
    throw new ToolFailedError(name, err);
  } finally {
    settled = true;
    clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    stopped.catch(() => {});
  }
}

function describeIssues(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

function reasonText(reason: unknown): string | undefined {
  if (reason === undefined) return undefined;
  return reason instanceof Error ? reason.message : String(reason);
}
