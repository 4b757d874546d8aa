import type { HearthDatabase } from './database.js';
import type { PgPool } from './postgres.js';

/** A statement's parameter: what both engines bind the same way. */
export type SqlValue = string | number | bigint | null;

/**
 * Engine-neutral SQL for the smaller areas (Discord answer links and feedback, the web console's
 * conversations and usage): one statement text with `$1, $2…` placeholders runs on SQLite and
 * PostgreSQL alike. Write portable SQL (`ON CONFLICT … DO UPDATE`, no engine-only functions);
 * the tables come from the versioned migrations in `migrations.ts`.
 */
export interface SqlRunner {
  readonly engine: 'sqlite' | 'postgres';
  /** Every row the statement returns. */
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row, or undefined. */
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement that returns no rows; resolves with the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

// `$1` → `@p1` bound by name, so one text serves both engines and a number may repeat
// (better-sqlite3 binds SQLite's `?1` form only by name too)
const toSqlite = (sql: string) => sql.replace(/\$(\d+)/g, '@p$1');
const named = (params: readonly SqlValue[]) => Object.fromEntries(params.map((v, i) => [`p${i + 1}`, v]));

/** {@link SqlRunner} on the data folder's SQLite connection (statements prepared once each). */
export function sqliteRunner(db: HearthDatabase): SqlRunner {
  const cache = new Map<string, ReturnType<HearthDatabase['prepare']>>();
  const prepare = (sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) cache.set(sql, (stmt = db.prepare(toSqlite(sql))));
    return stmt;
  };
  return {
    engine: 'sqlite',
    async all<T>(sql: string, params: readonly SqlValue[] = []) {
      return prepare(sql).all(named(params)) as T[];
    },
    async get<T>(sql: string, params: readonly SqlValue[] = []) {
      return prepare(sql).get(named(params)) as T | undefined;
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      return prepare(sql).run(named(params)).changes;
    },
  };
}

/** {@link SqlRunner} on a PostgreSQL pool. */
export function pgRunner(pool: PgPool): SqlRunner {
  return {
    engine: 'postgres',
    async all<T>(sql: string, params: readonly SqlValue[] = []) {
      return (await pool.query(sql, params as SqlValue[])).rows as T[];
    },
    async get<T>(sql: string, params: readonly SqlValue[] = []) {
      return (await pool.query(sql, params as SqlValue[])).rows[0] as T | undefined;
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      return (await pool.query(sql, params as SqlValue[])).rowCount ?? 0;
    },
  };
}
