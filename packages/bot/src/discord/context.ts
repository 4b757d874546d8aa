import type { Hearth } from '@hearth/core';
import { metrics } from '@hearth/core/ops';
import { HearthError } from '@hearth/sdk';
import type { Client } from 'discord.js';
import type { AnswerStore } from './answers/store.js';
import type { ChainIndex } from './conversation/chains.js';
import type { TypingIndicators } from './conversation/typing.js';
import type { ConcurrencyGate, KeyedSerial } from './limits/queue.js';
import type { Limiter } from './limits/shared.js';
import { errorCode } from './metrics.js';
import type { DiscordSettings } from './settings.js';

/** What the Discord surface needs from a running Hearth: no more, so tests can hand-make it. */
export type DiscordHearth = Pick<Hearth, 'config' | 'log' | 'registry' | 'engine' | 'knowledge'> & {
  redactor?: Hearth['redactor'];
  /** The data folder's SQLite connection (the readiness check's fallback when there is no `database`). */
  db?: Hearth['db'];
  /**
   * The configured database (SQLite in the data folder, or the PostgreSQL every process shares):
   * reply chains, answer records and feedback persist there (memory only without it).
   */
  database?: Pick<Hearth['database'], 'sql'>;
  /** The models: the surface asks whether the chat model can see images. */
  models?: Hearth['models'];
};

/** Shared state of one running surface, handed to every handler. */
export interface SurfaceContext {
  hearth: DiscordHearth;
  settings: DiscordSettings;
  client: Client;
  log: Hearth['log'];
  /** Rate limits and cooldowns: in this process, or shared through Redis. */
  limiter: Limiter;
  gate: ConcurrencyGate;
  serial: KeyedSerial;
  chains: ChainIndex;
  /** Answers by the message their buttons are on, and the feedback given to them. */
  answers: AnswerStore;
  jobs: JobTracker;
  typing: TypingIndicators;
  /** Redacts secrets from text shown to users. */
  redact(text: string): string;
}

/** Thrown into a job's signal when the surface shuts down. */
export class ShutdownError extends HearthError {
  constructor() {
    super('cancelled', 'Hearth is restarting, so this was stopped. Please try again in a moment.');
  }
}

/** Thrown into a job's signal when it passes the surface's job limit. */
export class JobLimitError extends HearthError {
  constructor(ms: number) {
    super('timeout', `This took longer than ${Math.round(ms / 1000)} s, so I stopped it.`);
  }
}

/**
 * Every answer and tool job in flight, so shutdown can let them finish, then cancel the rest.
 * Each job's signal aborts on shutdown or when it passes the job limit.
 */
export class JobTracker {
  private readonly running = new Map<Promise<unknown>, AbortController>();
  private readonly handlers = new Set<Promise<unknown>>();
  private closing = false;
  private aborting = false;

  get accepting(): boolean {
    return !this.closing;
  }

  get size(): number {
    return this.running.size;
  }

  /** Tracks an event handler, so shutdown also waits for work accepted but not yet started (queued). */
  track(handler: Promise<unknown>): void {
    this.handlers.add(handler);
    void handler.finally(() => this.handlers.delete(handler)).catch(() => {});
  }

  /** Runs `work` with a signal that aborts at `limitMs` or when shutdown's grace period ends. */
  run<T>(limitMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    if (this.aborting) controller.abort(new ShutdownError());
    const timer = setTimeout(() => controller.abort(new JobLimitError(limitMs)), limitMs);
    const promise = work(controller.signal).finally(() => {
      clearTimeout(timer);
      this.running.delete(promise);
    });
    this.running.set(promise, controller);
    return promise;
  }

  /** Stops new work, waits up to `graceMs` for accepted work, cancels the rest and waits for it to report. */
  async shutdown(graceMs: number): Promise<void> {
    this.closing = true;
    const all = () => Promise.allSettled([...this.handlers, ...this.running.keys()]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.aborting = true;
    for (const controller of this.running.values()) controller.abort(new ShutdownError());
    await Promise.race([all(), new Promise((r) => setTimeout(r, 5_000).unref())]);
  }
}

/** A user-facing sentence for any failure; unexpected errors are logged and shown generically. */
export function describeFailure(ctx: SurfaceContext, err: unknown, signal?: AbortSignal): string {
  const reason = signal?.aborted ? signal.reason : undefined;
  const error = reason instanceof HearthError ? reason : err;
  metrics().error('discord', errorCode(error));
  if (error instanceof HearthError) {
    const icon =
      error.code === 'timeout'
        ? '⌛'
        : error.code === 'permission_denied'
          ? '🔒'
          : error.code === 'cancelled'
            ? '⏹️'
            : '⚠️';
    return `${icon} ${ctx.redact(error.message)}`;
  }
  ctx.log.error({ err: ctx.redact(String((err as Error)?.stack ?? err)) }, 'discord: unexpected failure');
  return '⚠️ Sorry, something went wrong on my side; it has been logged.';
}
