import type { Pool } from 'pg';
import type { HearthDatabase } from './database.js';

/** One schema step, written once per engine. Steps are never edited once released: add a new one. */
export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

/**
 * The schema, in order. Version 1 is what earlier releases created with `CREATE TABLE IF NOT
 * EXISTS`, so an existing `hearth.sqlite` adopts it without change.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'conversations and plugin storage',
    sqlite: `
      CREATE TABLE IF NOT EXISTS engine_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content TEXT NOT NULL,
        tokens INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS engine_messages_by_conversation ON engine_messages (conversation, id);
      CREATE TABLE IF NOT EXISTS engine_summaries (conversation TEXT PRIMARY KEY, summary TEXT NOT NULL, upto INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS engine_guild_personas (guild_id TEXT PRIMARY KEY, persona TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS plugin_kv (
        plugin TEXT NOT NULL, guild TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        updated_at INTEGER NOT NULL, PRIMARY KEY (plugin, guild, key));`,
    postgres: `
      CREATE TABLE IF NOT EXISTS engine_messages (
        id BIGSERIAL PRIMARY KEY,
        conversation TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content TEXT NOT NULL,
        tokens INTEGER NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS engine_messages_by_conversation ON engine_messages (conversation, id);
      CREATE TABLE IF NOT EXISTS engine_summaries (conversation TEXT PRIMARY KEY, summary TEXT NOT NULL, upto BIGINT NOT NULL);
      CREATE TABLE IF NOT EXISTS engine_guild_personas (guild_id TEXT PRIMARY KEY, persona TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS plugin_kv (
        plugin TEXT NOT NULL, guild TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        updated_at BIGINT NOT NULL, PRIMARY KEY (plugin, guild, key));`,
  },
  {
    version: 2,
    name: 'job records',
    sqlite: `
      CREATE TABLE IF NOT EXISTS job_records (
        id TEXT PRIMARY KEY, queue TEXT NOT NULL, name TEXT NOT NULL, state TEXT NOT NULL,
        attempts INTEGER NOT NULL, error TEXT, created_at INTEGER NOT NULL, finished_at INTEGER);
      CREATE INDEX IF NOT EXISTS job_records_by_queue ON job_records (queue, created_at);`,
    postgres: `
      CREATE TABLE IF NOT EXISTS job_records (
        id TEXT PRIMARY KEY, queue TEXT NOT NULL, name TEXT NOT NULL, state TEXT NOT NULL,
        attempts INTEGER NOT NULL, error TEXT, created_at BIGINT NOT NULL, finished_at BIGINT);
      CREATE INDEX IF NOT EXISTS job_records_by_queue ON job_records (queue, created_at);`,
  },
  {
    version: 3,
    name: 'append exchange in one round trip',
    // SQLite appends in-process; nothing to add there
    sqlite: 'SELECT 1;',
    // lock + summary + inserts as one statement: a turn's append costs one round trip, not five
    postgres: `
      CREATE OR REPLACE FUNCTION hearth_append_exchange(
        conv TEXT, roles TEXT[], contents TEXT[], tokens INTEGER[], summary TEXT, upto BIGINT, now_ms BIGINT)
      RETURNS VOID LANGUAGE plpgsql AS $$
      BEGIN
        -- like SQLite's WAL with synchronous=NORMAL: a crash may lose the last moments of chat,
        -- never consistency; spares a WAL flush (milliseconds on a busy disk) per turn
        PERFORM set_config('synchronous_commit', 'off', true);
        -- writers of one conversation take turns, so an exchange's ids are consecutive
        PERFORM pg_advisory_xact_lock(hashtextextended('hearth.conv:' || conv, 0));
        IF summary IS NOT NULL THEN
          INSERT INTO engine_summaries (conversation, summary, upto) VALUES (conv, summary, upto)
          ON CONFLICT (conversation) DO UPDATE SET summary = excluded.summary, upto = excluded.upto;
        END IF;
        FOR i IN 1 .. coalesce(array_length(roles, 1), 0) LOOP
          INSERT INTO engine_messages (conversation, role, content, tokens, created_at)
          VALUES (conv, roles[i], contents[i], tokens[i], now_ms);
        END LOOP;
      END $$;`,
  },
  {
    version: 4,
    name: 'a conversation summary never moves back',
    // SQLite's statement carries the same guard (storage/conversations.ts)
    sqlite: 'SELECT 1;',
    // two processes answering one conversation may each fold history; the one that folded further wins
    postgres: `
      CREATE OR REPLACE FUNCTION hearth_append_exchange(
        conv TEXT, roles TEXT[], contents TEXT[], tokens INTEGER[], summary TEXT, upto BIGINT, now_ms BIGINT)
      RETURNS VOID LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM set_config('synchronous_commit', 'off', true);
        PERFORM pg_advisory_xact_lock(hashtextextended('hearth.conv:' || conv, 0));
        IF summary IS NOT NULL THEN
          INSERT INTO engine_summaries AS s (conversation, summary, upto) VALUES (conv, summary, upto)
          ON CONFLICT (conversation) DO UPDATE SET summary = excluded.summary, upto = excluded.upto
          WHERE s.upto <= excluded.upto;
        END IF;
        FOR i IN 1 .. coalesce(array_length(roles, 1), 0) LOOP
          INSERT INTO engine_messages (conversation, role, content, tokens, created_at)
          VALUES (conv, roles[i], contents[i], tokens[i], now_ms);
        END LOOP;
      END $$;`,
  },
  {
    version: 5,
    name: 'Discord answer links and feedback, web console conversations and usage',
    // version 1's rule: the same tables the surfaces created themselves before, so existing files adopt them
    sqlite: `
      CREATE TABLE IF NOT EXISTS discord_answers (message_id TEXT PRIMARY KEY, record TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS discord_feedback (
        message_id TEXT NOT NULL, user_id TEXT NOT NULL, verdict TEXT NOT NULL CHECK (verdict IN ('up', 'down')),
        question TEXT NOT NULL, answer TEXT NOT NULL, model TEXT NOT NULL, created_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, user_id));
      CREATE TABLE IF NOT EXISTS discord_message_links (message_id TEXT PRIMARY KEY, chain_id TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS discord_message_links_by_age ON discord_message_links (created_at);
      CREATE TABLE IF NOT EXISTS web_conversations (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS web_conversations_by_owner ON web_conversations (owner, updated_at);
      CREATE TABLE IF NOT EXISTS web_messages (
        conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, role TEXT NOT NULL, text TEXT NOT NULL,
        meta TEXT, at TEXT NOT NULL, PRIMARY KEY (conversation_id, seq));
      CREATE TABLE IF NOT EXISTS usage_events (
        at INTEGER NOT NULL, surface TEXT NOT NULL, kind TEXT NOT NULL, name TEXT, ms REAL NOT NULL, ok INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS usage_events_at ON usage_events (at);`,
    postgres: `
      CREATE TABLE IF NOT EXISTS discord_answers (message_id TEXT PRIMARY KEY, record TEXT NOT NULL, created_at BIGINT NOT NULL);
      CREATE TABLE IF NOT EXISTS discord_feedback (
        message_id TEXT NOT NULL, user_id TEXT NOT NULL, verdict TEXT NOT NULL CHECK (verdict IN ('up', 'down')),
        question TEXT NOT NULL, answer TEXT NOT NULL, model TEXT NOT NULL, created_at BIGINT NOT NULL,
        PRIMARY KEY (message_id, user_id));
      CREATE TABLE IF NOT EXISTS discord_message_links (message_id TEXT PRIMARY KEY, chain_id TEXT NOT NULL, created_at BIGINT NOT NULL);
      CREATE INDEX IF NOT EXISTS discord_message_links_by_age ON discord_message_links (created_at);
      CREATE TABLE IF NOT EXISTS web_conversations (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS web_conversations_by_owner ON web_conversations (owner, updated_at);
      CREATE TABLE IF NOT EXISTS web_messages (
        conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, role TEXT NOT NULL, text TEXT NOT NULL,
        meta TEXT, at TEXT NOT NULL, PRIMARY KEY (conversation_id, seq));
      CREATE TABLE IF NOT EXISTS usage_events (
        at BIGINT NOT NULL, surface TEXT NOT NULL, kind TEXT NOT NULL, name TEXT, ms DOUBLE PRECISION NOT NULL, ok INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS usage_events_at ON usage_events (at);`,
  },
  {
    version: 6,
    name: "the knowledge writer's published source list",
    sqlite: `
      CREATE TABLE IF NOT EXISTS knowledge_sources (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, uri TEXT NOT NULL, scope TEXT NOT NULL, guild_id TEXT, channel_id TEXT,
        chunks INTEGER NOT NULL, content_hash TEXT NOT NULL, added_at TEXT NOT NULL, text TEXT NOT NULL, updated_at INTEGER NOT NULL);`,
    postgres: `
      CREATE TABLE IF NOT EXISTS knowledge_sources (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, uri TEXT NOT NULL, scope TEXT NOT NULL, guild_id TEXT, channel_id TEXT,
        chunks INTEGER NOT NULL, content_hash TEXT NOT NULL, added_at TEXT NOT NULL, text TEXT NOT NULL, updated_at BIGINT NOT NULL);`,
  },
];

const TABLE = `CREATE TABLE IF NOT EXISTS hearth_migrations (
  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`;

/** Arbitrary constant: the advisory lock that keeps two starting processes from migrating at once. */
const PG_MIGRATION_LOCK = 0x4ea47;

/** Applies the missing migrations to a SQLite database in one write transaction; returns the versions applied. */
export function migrateSqlite(db: HearthDatabase, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(TABLE);
  // IMMEDIATE takes the write lock first, so a second process waits instead of migrating twice
  return db
    .transaction(() => {
      const done = new Set(
        (db.prepare('SELECT version FROM hearth_migrations').all() as { version: number }[]).map((r) => r.version),
      );
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        db.exec(m.sqlite);
        db.prepare('INSERT INTO hearth_migrations VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
        applied.push(m.version);
      }
      return applied;
    })
    .immediate();
}

/** Applies the missing migrations to PostgreSQL in one transaction under an advisory lock; returns the versions applied. */
export async function migratePostgres(pool: Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [PG_MIGRATION_LOCK]);
    await client.query(TABLE);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM hearth_migrations');
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query(m.postgres);
      await client.query('INSERT INTO hearth_migrations VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
