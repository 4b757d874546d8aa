import type { Hearth } from '@hearth/core';
import type { Caller } from '@hearth/sdk';
import type { Context } from 'hono';
import type { SessionBook, WebSession, WebUser } from './auth.js';
import type { JobBoard } from './jobs.js';
import type { UsageEvent, WebStore } from './store.js';

/** What every route handler shares: the runtime and the console's own state. */
export interface ConsoleDeps {
  hearth: Hearth;
  sessions: SessionBook;
  jobs: JobBoard;
  store: WebStore;
}

/** Hono's per-request variables, set by the auth middleware. */
export interface ConsoleEnv {
  Variables: { session: WebSession; user: WebUser; caller: Caller };
}

/** Handler context with the signed-in user. */
export type Ctx = Context<ConsoleEnv>;

/** A JSON error body the page shows as it is. */
export function problem(c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 500 | 503, message: string): Response {
  return c.json({ error: message }, status);
}

/**
 * Records a usage event without ever failing the request it describes: when the database is
 * down the answer or tool result still reaches the user, and the lost record is logged.
 */
export function recordUsage(deps: ConsoleDeps, event: UsageEvent): Promise<void> {
  return deps.store
    .record(event)
    .catch((err: unknown) => deps.hearth.log.warn({ err }, 'web usage event not recorded'));
}
