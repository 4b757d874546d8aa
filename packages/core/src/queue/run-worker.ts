import type { JobHandler, JobQueue, JobWorker } from './types.js';

/** Options of {@link runWorker}. */
export interface RunWorkerOptions {
  queues: JobQueue[];
  handlers: Record<string, JobHandler> | JobHandler;
  /** Jobs at once per queue (default 1). */
  concurrency?: number;
  /** After SIGTERM/SIGINT: how long running jobs get to finish before their signals abort (default 30 s). */
  graceMs?: number;
  /** Stop on SIGTERM and SIGINT (default true). */
  handleSignals?: boolean;
  /** Called when a stop begins (with the signal name, or `stop`). */
  onStopping?: (why: string) => void;
}

/** A running worker process's consumers. */
export interface RunningWorker {
  /** Drains every consumer (waiting up to `graceMs`) and closes the queues. */
  stop(why?: string): Promise<boolean>;
  /** Resolves after a stop completes, with whether every job finished within the grace time. */
  stopped: Promise<boolean>;
}

/**
 * Consumes `queues` with `handlers` until stopped. On SIGTERM (what systemd and docker send) it
 * stops taking jobs, lets running ones finish within the grace time, then closes: nothing is lost,
 * as an unfinished job goes back to the queue.
 */
export function runWorker(options: RunWorkerOptions): RunningWorker {
  const workers: JobWorker[] = options.queues.map((q) =>
    q.work(options.handlers, { concurrency: options.concurrency ?? 1 }),
  );
  let done!: (ok: boolean) => void;
  const stopped = new Promise<boolean>((r) => {
    done = r;
  });
  let stopping: Promise<boolean> | undefined;
  const onSignal = (signal: NodeJS.Signals) => void stop(signal);
  const stop = (why = 'stop') => {
    stopping ??= (async () => {
      options.onStopping?.(why);
      process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
      const results = await Promise.all(workers.map((w) => w.drain(options.graceMs ?? 30_000)));
      await Promise.all(options.queues.map((q) => q.close()));
      const ok = results.every(Boolean);
      done(ok);
      return ok;
    })();
    return stopping;
  };
  if (options.handleSignals !== false) process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  return { stop, stopped };
}
