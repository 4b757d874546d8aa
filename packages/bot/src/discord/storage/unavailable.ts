import { DatabaseUnavailableError, type HearthStorage } from '@hearth/core';

/** Portable SQL on the configured engine (SQLite in the data folder, or the shared PostgreSQL). */
export type SqlRunner = HearthStorage['sql'];

/**
 * The kind of failure in words a user may see, from the driver's code; the message itself is only
 * matched, never shown, since it may name the database's address (the error keeps it as `cause`).
 */
function failureKind(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  const message = String((err as Error)?.message ?? err);
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  if (/timeout|timed out/i.test(message)) return 'no answer in time (timeout)';
  if (code === 'ECONNRESET' || /terminat|closed|reset|after calling end/i.test(message))
    return 'the connection was lost';
  if (typeof code === 'string' && /^[A-Z0-9_]{2,}$/.test(code)) return `error ${code}`;
  return 'the query failed';
}

/**
 * Awaits a store query, turning any failure into the {@link DatabaseUnavailableError} users see
 * ("The database is unavailable: … Try again shortly."), as the conversation store does, so a
 * PostgreSQL outage reaches the member as one sentence instead of a driver error.
 */
export async function unlessUnavailable<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (err) {
    if (err instanceof DatabaseUnavailableError) throw err;
    throw new DatabaseUnavailableError(`The database is unavailable: ${failureKind(err)}. Try again shortly.`, err);
  }
}

/** Rows older than this are pruned at start: nobody replies to, or clicks under, a months-old answer. */
export const KEEP_MS = 180 * 24 * 60 * 60 * 1000;

/** Where a store reports what it could not do in the background (the surface's logger). */
export type StoreWarn = (fields: Record<string, unknown>, message: string) => void;
