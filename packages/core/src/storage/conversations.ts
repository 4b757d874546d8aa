import type { StoredMessage, StoredSummary } from '../engine/conversation-store.js';
import type { HearthDatabase } from './database.js';
import { migrateSqlite } from './migrations.js';
import type { PgPool } from './postgres.js';

export type { StoredMessage, StoredSummary };

/** A message to append (the store assigns its id). */
export interface NewMessage {
  role: 'user' | 'assistant';
  content: string;
  tokens: number;
}

/**
 * Conversations, their summaries and per-guild personas, on either engine. Ids grow with time
 * within a conversation and one exchange's messages get consecutive ids even when several
 * processes append to the same conversation at once.
 */
export interface ConversationRepository {
  summary(conversation: string): Promise<StoredSummary | undefined>;
  /** Unsummarised messages (id > `after`), newest first, read a page at a time so callers can stop early. */
  newestFirst(conversation: string, after: number): AsyncIterable<StoredMessage>;
  /** Appends one exchange, and a new summary if older messages were folded, atomically. */
  appendExchange(
    conversation: string,
    messages: NewMessage[],
    summary?: StoredSummary,
    options?: AppendOptions,
  ): Promise<void>;
  reset(conversation: string): Promise<void>;
  guildPersona(guildId: string): Promise<string | undefined>;
  setGuildPersona(guildId: string, persona: string): Promise<void>;
}

/** Options of {@link ConversationRepository.appendExchange}. */
export interface AppendOptions {
  /**
   * The question of the exchange this one replaces (a regenerated answer): the newest user message
   * with exactly this text and every message after it are removed in the same transaction, so the
   * conversation keeps one exchange for it instead of two. Nothing is removed when there is none.
   */
  replacing?: string;
}

/** Rows per history page: one page covers a typical prompt's history budget. */
const PAGE = 32;

/**
 * The SQLite engine. History is read a page at a time with `.all()`, never through an open
 * cursor: a cursor left open across an `await` would make the shared connection "busy" for a
 * concurrent turn's write.
 */
export class SqliteConversations implements ConversationRepository {
  private readonly stmts;

  constructor(private readonly db: HearthDatabase) {
    // tables come from the versioned migrations, shared with the PostgreSQL engine
    migrateSqlite(db);
    this.stmts = {
      page: db.prepare<[string, number, number, number], StoredMessage>(
        'SELECT id, role, content, tokens FROM engine_messages WHERE conversation = ? AND id > ? AND id < ? ORDER BY id DESC LIMIT ?',
      ),
      insert: db.prepare(
        'INSERT INTO engine_messages (conversation, role, content, tokens, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      dropFrom: db.prepare(DROP_FROM_LAST_QUESTION.replaceAll(/\$\d/g, '?')),
      summary: db.prepare<[string], { summary: string; upto: number }>(
        'SELECT summary, upto FROM engine_summaries WHERE conversation = ?',
      ),
      saveSummary: db.prepare(
        // a summary never moves back: the writer that folded further wins (as on PostgreSQL, migration 4)
        'INSERT INTO engine_summaries (conversation, summary, upto) VALUES (?, ?, ?) ON CONFLICT(conversation) DO UPDATE SET summary = excluded.summary, upto = excluded.upto WHERE excluded.upto >= engine_summaries.upto',
      ),
      deleteMessages: db.prepare('DELETE FROM engine_messages WHERE conversation = ?'),
      deleteSummary: db.prepare('DELETE FROM engine_summaries WHERE conversation = ?'),
      guildPersona: db.prepare<[string], { persona: string }>(
        'SELECT persona FROM engine_guild_personas WHERE guild_id = ?',
      ),
      setGuildPersona: db.prepare(
        'INSERT INTO engine_guild_personas (guild_id, persona) VALUES (?, ?) ON CONFLICT(guild_id) DO UPDATE SET persona = excluded.persona',
      ),
    };
  }

  async summary(conversation: string) {
    const row = this.stmts.summary.get(conversation);
    return row ? { text: row.summary, upto: row.upto } : undefined;
  }

  async *newestFirst(conversation: string, after: number): AsyncGenerator<StoredMessage> {
    let below = Number.MAX_SAFE_INTEGER;
    for (;;) {
      const rows = this.stmts.page.all(conversation, after, below, PAGE);
      yield* rows;
      if (rows.length < PAGE) return;
      below = rows[rows.length - 1]!.id;
    }
  }

  async appendExchange(conversation: string, messages: NewMessage[], summary?: StoredSummary, options?: AppendOptions) {
    const now = Date.now();
    this.db.transaction(() => {
      if (options?.replacing !== undefined) this.stmts.dropFrom.run(conversation, conversation, options.replacing);
      if (summary) this.stmts.saveSummary.run(conversation, summary.text, summary.upto);
      for (const m of messages) this.stmts.insert.run(conversation, m.role, m.content, m.tokens, now);
    })();
  }

  async reset(conversation: string) {
    this.db.transaction(() => {
      this.stmts.deleteMessages.run(conversation);
      this.stmts.deleteSummary.run(conversation);
    })();
  }

  async guildPersona(guildId: string) {
    return this.stmts.guildPersona.get(guildId)?.persona;
  }

  async setGuildPersona(guildId: string, persona: string) {
    this.stmts.setGuildPersona.run(guildId, persona);
  }
}

/** Removes the newest user message with a given text and every later message (a replaced exchange). */
const DROP_FROM_LAST_QUESTION =
  "DELETE FROM engine_messages WHERE conversation = $1 AND id >= (SELECT MAX(id) FROM engine_messages WHERE conversation = $2 AND role = 'user' AND content = $3)";

/** The PostgreSQL engine (tables made by `migratePostgres`). */
export class PgConversations implements ConversationRepository {
  constructor(private readonly pool: PgPool) {}

  async summary(conversation: string) {
    const { rows } = await this.pool.query<{ summary: string; upto: number }>(
      'SELECT summary, upto FROM engine_summaries WHERE conversation = $1',
      [conversation],
    );
    return rows[0] ? { text: rows[0].summary, upto: rows[0].upto } : undefined;
  }

  async *newestFirst(conversation: string, after: number): AsyncGenerator<StoredMessage> {
    let below = Number.MAX_SAFE_INTEGER;
    for (;;) {
      const { rows } = await this.pool.query<StoredMessage>(
        'SELECT id, role, content, tokens FROM engine_messages WHERE conversation = $1 AND id > $2 AND id < $3 ORDER BY id DESC LIMIT $4',
        [conversation, after, below, PAGE],
      );
      yield* rows;
      if (rows.length < PAGE) return;
      below = rows[rows.length - 1]!.id;
    }
  }

  async appendExchange(conversation: string, messages: NewMessage[], summary?: StoredSummary, options?: AppendOptions) {
    const args = [
      conversation,
      messages.map((m) => m.role),
      messages.map((m) => m.content),
      messages.map((m) => m.tokens),
      summary?.text ?? null,
      summary?.upto ?? null,
      Date.now(),
    ];
    const append = 'SELECT hearth_append_exchange($1, $2, $3, $4, $5, $6, $7)';
    // one round trip: the function (migration 3) takes the conversation's lock and writes everything
    if (options?.replacing === undefined) return void (await this.pool.query(append, args));
    // a replaced exchange: the removal and the append in one transaction, under the same lock
    await this.transaction(conversation, async (q) => {
      await q(DROP_FROM_LAST_QUESTION, [conversation, conversation, options.replacing]);
      await q(append, args);
    });
  }

  async reset(conversation: string) {
    await this.transaction(conversation, async (q) => {
      await q('DELETE FROM engine_messages WHERE conversation = $1', [conversation]);
      await q('DELETE FROM engine_summaries WHERE conversation = $1', [conversation]);
    });
  }

  async guildPersona(guildId: string) {
    const { rows } = await this.pool.query<{ persona: string }>(
      'SELECT persona FROM engine_guild_personas WHERE guild_id = $1',
      [guildId],
    );
    return rows[0]?.persona;
  }

  async setGuildPersona(guildId: string, persona: string) {
    await this.pool.query(
      'INSERT INTO engine_guild_personas (guild_id, persona) VALUES ($1, $2) ON CONFLICT (guild_id) DO UPDATE SET persona = excluded.persona',
      [guildId, persona],
    );
  }

  /**
   * Runs `fn` in a transaction holding the conversation's advisory lock: writers of one
   * conversation take turns, so an exchange's ids are consecutive (a sequence alone interleaves them).
   */
  private async transaction(
    conversation: string,
    fn: (q: (sql: string, params: unknown[]) => Promise<unknown>) => Promise<void>,
  ) {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended('hearth.conv:' || $1, 0))", [conversation]);
      await fn((sql, params) => client.query(sql, params));
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }
}
