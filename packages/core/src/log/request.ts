import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The request id of the work in progress: a surface (Discord event, MCP call, web request, CLI
 * command) starts one with {@link withRequestId}; everything awaited inside it (engine, models,
 * queue producers) sees it, log lines carry it as `requestId`, and queued jobs carry it to the
 * worker, which runs the job inside the same id.
 */
const store = new AsyncLocalStorage<string>();

/** A new request id (short, log-friendly, unique enough to grep). */
export function newRequestId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 16);
}

/** Runs `fn` with `id` as the current request id (a new one when `id` is undefined). */
export function withRequestId<T>(id: string | undefined, fn: () => T): T {
  return store.run(id ?? newRequestId(), fn);
}

/** The current request id, or undefined outside any request. */
export function currentRequestId(): string | undefined {
  return store.getStore();
}
