import { type DatabaseUnavailableError, databaseUnavailable } from '@hearth/core';

/** Portable SQL on the configured engine (SQLite in the data folder, or the shared PostgreSQL). */
export type { SqlRunner } from '@hearth/core/storage';

/**
 * Awaits a store query, turning any failure into the {@link DatabaseUnavailableError} users see
 * ("The database is unavailable: … Try again shortly."), as the conversation store does, so a
 * PostgreSQL outage reaches the member as one sentence instead of a driver error.
 */
export async function unlessUnavailable<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (err) {
    throw databaseUnavailable(err);
  }
}

/** Rows older than this are pruned at start: nobody replies to, or clicks under, a months-old answer. */
export const KEEP_MS = 180 * 24 * 60 * 60 * 1000;

/** Where a store reports what it could not do in the background (the surface's logger). */
export type StoreWarn = (fields: Record<string, unknown>, message: string) => void;
