import type { HearthDatabase } from '../storage/database.js';
import { migrateSqlite } from '../storage/migrations.js';
import type { ConversationKey } from './types.js';

/** A stored message of a conversation (user questions and final answers; tool rounds are not kept). */
export interface StoredMessage {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  tokens: number;
}

/** The running summary of a conversation's older messages. */
export interface StoredSummary {
  text: string;
  /** Id of the last message folded into the summary. */
  upto: number;
}

/**
 * Stable id of a conversation: equal keys give equal ids whatever the field order or undefined
 * fields. Fields are escaped so no two different keys collide.
 */
export function conversationId(key: ConversationKey): string {
  const parts: string[] = [key.surface];
  for (const field of ['guildId', 'channelId', 'threadId', 'chainId', 'sessionId'] as const) {
    const value = key[field];
    if (value !== undefined && value !== '') parts.push(`${field}=${encodeURIComponent(value)}`);
  }
  return parts.join('|');
}

/**
 * Conversations, their summaries and per-guild personas in the data folder's SQLite database,
 * synchronously (the engine's API). `storage/conversations.ts` has the async interface both
 * engines (SQLite through this class, PostgreSQL) implement.
 */
export class ConversationStore {
  private readonly stmts;

  constructor(private readonly db: HearthDatabase) {
    // tables come from the versioned migrations, shared with the PostgreSQL engine
    migrateSqlite(db);
    this.stmts = {
      newestFirst: db.prepare<[string, number], StoredMessage>(
        'SELECT id, role, content, tokens FROM engine_messages WHERE conversation = ? AND id > ? ORDER BY id DESC',
      ),
      insert: db.prepare(
        'INSERT INTO engine_messages (conversation, role, content, tokens, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      summary: db.prepare<[string], { summary: string; upto: number }>(
        'SELECT summary, upto FROM engine_summaries WHERE conversation = ?',
      ),
      saveSummary: db.prepare(
        'INSERT INTO engine_summaries (conversation, summary, upto) VALUES (?, ?, ?) ON CONFLICT(conversation) DO UPDATE SET summary = excluded.summary, upto = excluded.upto',
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

  summary(conversation: string): StoredSummary | undefined {
    const row = this.stmts.summary.get(conversation);
    return row ? { text: row.summary, upto: row.upto } : undefined;
  }

  /** Unsummarised messages, newest first, lazily: callers stop reading once their budget is spent. */
  *newestFirst(conversation: string, after: number): Generator<StoredMessage> {
    yield* this.stmts.newestFirst.iterate(conversation, after) as IterableIterator<StoredMessage>;
  }

  /** Appends one exchange, and a new summary if older messages were folded, in one transaction. */
  appendExchange(
    conversation: string,
    messages: { role: 'user' | 'assistant'; content: string; tokens: number }[],
    summary?: StoredSummary,
  ): void {
    const now = Date.now();
    this.db.transaction(() => {
      if (summary) this.stmts.saveSummary.run(conversation, summary.text, summary.upto);
      for (const m of messages) this.stmts.insert.run(conversation, m.role, m.content, m.tokens, now);
    })();
  }

  reset(conversation: string): void {
    this.db.transaction(() => {
      this.stmts.deleteMessages.run(conversation);
      this.stmts.deleteSummary.run(conversation);
    })();
  }

  guildPersona(guildId: string): string | undefined {
    return this.stmts.guildPersona.get(guildId)?.persona;
  }

  setGuildPersona(guildId: string, persona: string): void {
    this.stmts.setGuildPersona.run(guildId, persona);
  }
}
