/**
 * Hearth's storage behind one interface, two engines: SQLite in the data folder (default) or
 * PostgreSQL (`HEARTH_DATABASE_URL=postgres://…`) so several machines share one database.
 * Schema changes are versioned migrations, applied on open.
 * @packageDocumentation
 */

import { redactUrl } from '../log/redact.js';
import { type ConversationRepository, PgConversations, SqliteConversations } from './conversations.js';
import { type HearthDatabase, openDatabase } from './database.js';
import { type JobRecords, PgJobRecords, SqliteJobRecords } from './job-records.js';
import { PgKv } from './kv-backend.js';
import { migratePostgres } from './migrations.js';
import { PluginStorage } from './plugin-storage.js';
import { isPostgresUrl, openPostgres, type PgPool } from './postgres.js';
import { pgRunner, type SqlRunner, sqliteRunner } from './sql.js';

export { redactUrl } from '../log/redact.js';
export type {
  AppendOptions,
  ConversationRepository,
  NewMessage,
  StoredMessage,
  StoredSummary,
} from './conversations.js';
export { PgConversations, SqliteConversations } from './conversations.js';
export { type CopyOptions, copySqliteToPostgres } from './copy.js';
export { type HearthDatabase, openDatabase } from './database.js';
export type { JobRecord, JobRecords } from './job-records.js';
export { type KvBackend, PgKv, SqliteKv } from './kv-backend.js';
export { MIGRATIONS, type Migration, migratePostgres, migrateSqlite } from './migrations.js';
export { PluginStorage } from './plugin-storage.js';
export { isPostgresUrl, openPostgres, type PgPool } from './postgres.js';
export { pgRunner, type SqlRunner, type SqlValue, sqliteRunner } from './sql.js';

/** Everything Hearth stores in a database, on one engine. */
export interface HearthStorage {
  readonly engine: 'sqlite' | 'postgres';
  /** Where the data is, safe to log (a PostgreSQL URL's password is redacted). */
  readonly location: string;
  readonly conversations: ConversationRepository;
  readonly plugins: PluginStorage;
  readonly jobs: JobRecords;
  /** Portable SQL on this engine, for the areas with small tables of their own (Discord links, web console). */
  readonly sql: SqlRunner;
  /** The SQLite connection (SQLite engine only: areas not yet on the interface still use it). */
  readonly sqlite?: HearthDatabase;
  /** Rejects when the database cannot answer a trivial query (readiness checks call it). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link openStorage}. */
export interface OpenStorageOptions {
  /** The data folder (SQLite file, plugin folders). */
  dataDir: string;
  /** `postgres://…` selects PostgreSQL; unset selects SQLite. Default: `HEARTH_DATABASE_URL`. */
  databaseUrl?: string;
  /** PostgreSQL schema (default `public`; tests isolate themselves with one). */
  schema?: string;
  /** PostgreSQL pool size (default 10). */
  maxConnections?: number;
  /** PostgreSQL: how long to wait for a connection before the call fails (default 5000 ms). */
  connectTimeoutMs?: number;
  /** PostgreSQL: longest a query may run before it fails instead of hanging (default 30 000 ms). */
  queryTimeoutMs?: number;
}

/** Opens the configured engine and applies pending migrations. */
export async function openStorage(options: OpenStorageOptions): Promise<HearthStorage> {
  const url = options.databaseUrl ?? process.env.HEARTH_DATABASE_URL;
  if (url) return openPgStorage(url, options);
  const db = openDatabase(options.dataDir);
  return {
    engine: 'sqlite',
    location: `${options.dataDir}/hearth.sqlite`,
    conversations: new SqliteConversations(db),
    plugins: new PluginStorage(db, options.dataDir),
    jobs: new SqliteJobRecords(db),
    sql: sqliteRunner(db),
    sqlite: db,
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

async function openPgStorage(url: string, options: OpenStorageOptions): Promise<HearthStorage> {
  if (!isPostgresUrl(url)) {
    throw new Error(
      `HEARTH_DATABASE_URL must be a postgres:// URL (or unset for SQLite in the data folder), not "${redactUrl(url)}"`,
    );
  }
  const pool: PgPool = await openPostgres(url, {
    schema: options.schema,
    max: options.maxConnections,
    connectTimeoutMs: options.connectTimeoutMs,
    queryTimeoutMs: options.queryTimeoutMs,
  });
  try {
    await migratePostgres(pool);
  } catch (err) {
    await pool.end().catch(() => {});
    throw new Error(`PostgreSQL migrations failed at ${redactUrl(url)}: ${(err as Error).message}`);
  }
  let closed: Promise<void> | undefined;
  return {
    engine: 'postgres',
    location: redactUrl(url),
    conversations: new PgConversations(pool),
    plugins: new PluginStorage(new PgKv(pool), options.dataDir),
    jobs: new PgJobRecords(pool),
    sql: pgRunner(pool),
    async ping() {
      await pool.query('SELECT 1');
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
