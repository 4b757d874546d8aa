import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { redactUrl } from '../log/redact.js';
import { openDatabase } from './database.js';
import { migratePostgres, migrateSqlite } from './migrations.js';
import { openPostgres } from './postgres.js';

/** A table copied by {@link copySqliteToPostgres}, with its columns in a fixed order. */
interface CopiedTable {
  name: string;
  columns: string[];
  /** A BIGSERIAL column whose sequence must continue after the copied ids. */
  serial?: string;
}

/**
 * Everything a single machine keeps in `hearth.sqlite` that a deployment shares. The knowledge
 * source list is left out: the ingest worker publishes it when it opens.
 */
const TABLES: CopiedTable[] = [
  {
    name: 'engine_messages',
    columns: ['id', 'conversation', 'role', 'content', 'tokens', 'created_at'],
    serial: 'id',
  },
  { name: 'engine_summaries', columns: ['conversation', 'summary', 'upto'] },
  { name: 'engine_guild_personas', columns: ['guild_id', 'persona'] },
  { name: 'plugin_kv', columns: ['plugin', 'guild', 'key', 'value', 'updated_at'] },
  {
    name: 'job_records',
    columns: ['id', 'queue', 'name', 'state', 'attempts', 'error', 'created_at', 'finished_at'],
  },
  { name: 'discord_answers', columns: ['message_id', 'record', 'created_at'] },
  {
    name: 'discord_feedback',
    columns: ['message_id', 'user_id', 'verdict', 'question', 'answer', 'model', 'created_at'],
  },
  { name: 'discord_message_links', columns: ['message_id', 'chain_id', 'created_at'] },
  { name: 'web_conversations', columns: ['id', 'owner', 'title', 'updated_at'] },
  { name: 'web_messages', columns: ['conversation_id', 'seq', 'role', 'text', 'meta', 'at'] },
  { name: 'usage_events', columns: ['at', 'surface', 'kind', 'name', 'ms', 'ok'] },
];

/** Rows per INSERT statement. */
const BATCH = 500;

/** Options of {@link copySqliteToPostgres}. */
export interface CopyOptions {
  /** PostgreSQL schema to copy into (tests isolate themselves with one). */
  schema?: string;
  /** Called after each table with the rows copied. */
  onTable?: (table: string, rows: number) => void;
}

/**
 * Copies the data folder's SQLite database into PostgreSQL, for a single machine becoming a
 * deployment (`hearth db copy`): conversations, personas, plugin storage, job records, Discord
 * chains and feedback, web conversations and usage. One transaction: on any error nothing is
 * copied. Refuses when a target table already has rows, so it never merges into a live database.
 * The SQLite file is only read.
 */
export async function copySqliteToPostgres(
  dataDir: string,
  url: string,
  options: CopyOptions = {},
): Promise<Record<string, number>> {
  const file = join(dataDir, 'hearth.sqlite');
  if (!existsSync(file)) throw new Error(`No SQLite database to copy at ${file} (check --data-dir)`);
  const sqlite = openDatabase(dataDir);
  const pool = await openPostgres(url, { schema: options.schema, max: 1 });
  try {
    migrateSqlite(sqlite); // an older file may lack tables added since: they are created empty
    await migratePostgres(pool);
    const client = await pool.connect();
    try {
      for (const t of TABLES) {
        const { rows } = await client.query(`SELECT 1 FROM ${t.name} LIMIT 1`);
        if (rows.length) {
          throw new Error(
            `PostgreSQL at ${redactUrl(url)} already has rows in ${t.name}: hearth db copy only fills an empty database (nothing was copied)`,
          );
        }
      }
      const counts: Record<string, number> = {};
      await client.query('BEGIN');
      try {
        for (const t of TABLES) {
          counts[t.name] = await copyTable(sqlite, client, t);
          options.onTable?.(t.name, counts[t.name]);
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
      return counts;
    } finally {
      client.release();
    }
  } finally {
    sqlite.close();
    await pool.end().catch(() => {});
  }
}

type Client = { query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }> };

async function copyTable(sqlite: ReturnType<typeof openDatabase>, client: Client, t: CopiedTable): Promise<number> {
  const cols = t.columns.join(', ');
  const select = sqlite.prepare(`SELECT ${cols} FROM ${t.name}`).raw(true);
  let batch: unknown[][] = [];
  let copied = 0;
  const flush = async () => {
    if (!batch.length) return;
    const params: unknown[] = [];
    const values = batch.map((row) => `(${row.map((v) => `$${params.push(v)}`).join(', ')})`);
    await client.query(`INSERT INTO ${t.name} (${cols}) VALUES ${values.join(', ')}`, params);
    copied += batch.length;
    batch = [];
  };
  for (const row of select.iterate() as Iterable<unknown[]>) {
    batch.push(row);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  if (t.serial && copied) {
    // new rows continue after the copied ids, so the order of every conversation is kept
    await client.query(
      `SELECT setval(pg_get_serial_sequence('${t.name}', '${t.serial}'), (SELECT MAX(${t.serial}) FROM ${t.name}))`,
    );
  }
  return copied;
}
