import type { HearthLogger } from '../log/logger.js';
import type { ToolRegistry } from '../plugins/registry.js';
import type { JobQueue } from './types.js';

/** Options of {@link queueTools}. */
export interface QueueToolsOptions {
  registry: ToolRegistry;
  /** The shared queue (`tools`) that `hearth worker` processes consume. */
  queue: JobQueue;
  /** Registry names of the tools whose calls become jobs (e.g. `diffusion_imagine`, `add_knowledge`). */
  tools: readonly string[];
  log: HearthLogger;
}

/**
 * Makes every call of the named tools (registered now or later) a job on `queue`: the caller's
 * surface waits for the job's result, gets its progress, and cancelling aborts the job wherever
 * it runs. Returns a function that undoes the routing.
 *
 * CONTRACT STUB (lead, 2026-12-03): implemented by the queue-routing helper.
 */
export function queueTools(options: QueueToolsOptions): () => void {
  void options;
  return () => {};
}
