import { ConversationStore, type StoredMessage, type StoredSummary } from '../engine/conversation-store.js';
import type { HearthDatabase } from './database.js';
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
  appendExchange(conversation: string, messages: NewMessage[], summary?: StoredSummary): Promise<void>;
  reset(conversation: string): Promise<void>;
  guildPersona(guildId: string): Promise<string | undefined>;
  setGuildPersona(guildId: string, persona: string): Promise<void>;
}

/** The SQLite engine: the engine's synchronous {@link ConversationStore} behind the async interface. */
export class SqliteConversations implements ConversationRepository {
  readonly store: ConversationStore;

  constructor(db: HearthDatabase) {
    this.store = new ConversationStore(db);
  }

  async summary(conversation: string) {
    return this.store.summary(conversation);
  }
  async *newestFirst(conversation: string, after: number) {
    yield* this.store.newestFirst(conversation, after);
  }
  async appendExchange(conversation: string, messages: NewMessage[], summary?: StoredSummary) {
    this.store.appendExchange(conversation, messages, summary);
  }
  async reset(conversation: string) {
    this.store.reset(conversation);
  }
  async guildPersona(guildId: string) {
    return this.store.guildPersona(guildId);
  }
  async setGuildPersona(guildId: string, persona: string) {
    this.store.setGuildPersona(guildId, persona);
  }
}

/** Rows per history page: one page covers a typical prompt's history budget. */
const PAGE = 32;

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

  async appendExchange(conversation: string, messages: NewMessage[], summary?: StoredSummary) {
    // one round trip: the function (migration 3) takes the conversation's lock and writes everything
    await this.pool.query('SELECT hearth_append_exchange($1, $2, $3, $4, $5, $6, $7)', [
      conversation,
      messages.map((m) => m.role),
      messages.map((m) => m.content),
      messages.map((m) => m.tokens),
      summary?.text ?? null,
      summary?.upto ?? null,
      Date.now(),
    ]);
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
