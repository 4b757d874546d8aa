import { ProviderError } from './errors.js';

/** Timeout and retry policy of one remote call. */
export interface RetryPolicy {
  /** Per attempt, in ms. */
  timeoutMs: number;
  /** Extra attempts after the first, on retryable errors (429, 5xx, connection errors). */
  retries: number;
  /** First backoff delay; doubles each retry, with jitter. Default 500 ms. */
  baseDelayMs?: number;
  /** Longest single wait, including a server's Retry-After. Default 10 s. */
  maxDelayMs?: number;
}

/**
 * Runs `attempt` with a per-attempt timeout (an AbortSignal the client honours, which also stops
 * @huggingface/inference's own unbounded 503 loop), bounded retries with exponential backoff and
 * the caller's cancellation. `mapError` turns raw failures into {@link ProviderError}s.
 */
export async function withRetries<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  policy: RetryPolicy,
  options: {
    signal?: AbortSignal;
    mapError: (err: unknown) => ProviderError;
    retryAfterMs?: () => number | undefined;
    ref: string;
  },
): Promise<T> {
  const base = policy.baseDelayMs ?? 500;
  const maxDelay = policy.maxDelayMs ?? 10_000;
  for (let n = 0; ; n++) {
    throwIfCancelled(options.signal, options.ref);
    const { signal, cleanup, timedOut } = attemptSignal(policy.timeoutMs, options.signal);
    try {
      return await attempt(signal);
    } catch (raw) {
      throwIfCancelled(options.signal, options.ref);
      const err = timedOut() ? timeoutError(options.ref, policy.timeoutMs) : options.mapError(raw);
      if (!err.retryable || n >= policy.retries) throw err;
      const hinted = options.retryAfterMs?.();
      const delay = Math.min(maxDelay, hinted ?? base * 2 ** n * (0.75 + Math.random() * 0.5));
      await sleep(delay, options.signal, options.ref);
    } finally {
      cleanup();
    }
  }
}

/** A signal that aborts on the caller's signal or after `timeoutMs`. */
export function attemptSignal(
  timeoutMs: number,
  outer?: AbortSignal,
): { signal: AbortSignal; cleanup: () => void; timedOut: () => boolean; reset: () => void } {
  const controller = new AbortController();
  let expired = false;
  const fire = () => {
    expired = true;
    controller.abort(new Error('timeout'));
  };
  let timer = setTimeout(fire, timeoutMs);
  const onAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    /** Restarts the timer: streams use it as an idle timeout between chunks. */
    reset: () => {
      clearTimeout(timer);
      if (!controller.signal.aborted) timer = setTimeout(fire, timeoutMs);
    },
    /** Stops the timer and aborts whatever is still open (a stream the consumer left early). */
    cleanup: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
      if (!controller.signal.aborted) controller.abort(new Error('finished'));
    },
  };
}

export function timeoutError(ref: string, ms: number): ProviderError {
  return new ProviderError(
    'timeout',
    `${ref}: no answer within ${Math.round(ms / 100) / 10} s. Try again, or raise models.timeoutMs.`,
    {
      retryable: true,
    },
  );
}

export function cancelledError(ref: string): ProviderError {
  return new ProviderError('cancelled', `${ref}: the request was cancelled.`);
}

function throwIfCancelled(signal: AbortSignal | undefined, ref: string): void {
  if (signal?.aborted) throw cancelledError(ref);
}

function sleep(ms: number, signal: AbortSignal | undefined, ref: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError(ref));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
