import type PgTypes from 'pg';
import { redactUrl } from '../log/redact.js';
import { pg } from './pg-module.js';

/** A PostgreSQL connection pool (the `pg` package's). */
export type PgPool = PgTypes.Pool;

// BIGINT columns (ids, timestamps) fit in a double for Hearth's data: read them as numbers, not strings
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** Options of {@link openPostgres}. */
export interface OpenPostgresOptions {
  /** Most connections this process opens (default 10). */
  max?: number;
  /** Schema to use instead of `public` (tests isolate themselves with one). */
  schema?: string;
  /** How long any call waits for a connection before it fails (default 5000 ms). */
  connectTimeoutMs?: number;
  /**
   * Longest a query may take (default 30 000 ms): a server that stops answering mid-query fails
   * the call (and so the user's turn) with an error instead of hanging it.
   */
  queryTimeoutMs?: number;
}

/** True when `url` selects the PostgreSQL engine. */
export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//i.test(url);
}

/**
 * Opens a pool on `url` (`postgres://user:pass@host:port/db`) and checks one connection, so a wrong
 * URL fails at start with a message naming PostgreSQL and the (redacted) address.
 */
export async function openPostgres(url: string, options: OpenPostgresOptions = {}): Promise<PgPool> {
  if (!isPostgresUrl(url)) {
    throw new Error(`HEARTH_DATABASE_URL must start with postgres:// or postgresql://, not "${redactUrl(url)}"`);
  }
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(options.schema)) {
    throw new Error(`PostgreSQL schema "${options.schema}" must be lower-case letters, digits and _`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    // Hearth's queries are small: a server that has not answered in 10 s is not going to, and a
    // user's turn should not wait longer than that to hear so.
    query_timeout: options.queryTimeoutMs ?? 10_000,
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
  });
  // an idle client losing its server must not crash the process: the next query reports it
  pool.on('error', () => {});
  try {
    if (options.schema) {
      const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: options.connectTimeoutMs ?? 5000 });
      await admin.connect();
      try {
        // two processes creating it at once race inside IF NOT EXISTS: the loser's error means it exists
        await admin.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`).catch((err: { code?: string }) => {
          if (err.code !== '23505' && err.code !== '42P06') throw err;
        });
      } finally {
        await admin.end();
      }
    }
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw new Error(
      `PostgreSQL at ${redactUrl(url)} is not reachable: ${(err as Error).message || String(err)}. ` +
        'Start it, fix HEARTH_DATABASE_URL, or unset it to use SQLite.',
    );
  }
  return pool;
}
