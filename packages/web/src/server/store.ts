import { randomUUID } from 'node:crypto';
import type { Hearth } from '@hearth/core';

type HearthDatabase = Hearth['db'];

/** A console conversation as the chat page lists it. */
export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: string;
}

/** One shown message: the user's question or the answer with what it was built from. */
export interface StoredMessage {
  role: 'user' | 'assistant';
  text: string;
  /** For answers: citations, grounding, attachments, as the page renders them. */
  meta?: unknown;
  at: string;
}

/** One usage record: a question, a tool call or an error, with its latency. */
export interface UsageEvent {
  surface: string;
  kind: 'question' | 'tool' | 'error';
  name?: string;
  ms: number;
  ok: boolean;
}

/**
 * The console's tables in the data folder's SQLite database: conversations (so a chat can be
 * resumed after a reload or a restart; the engine keeps the model-side history itself) and usage.
 */
export class WebStore {
  constructor(private readonly db: HearthDatabase) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS web_conversations (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS web_messages (
        conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, role TEXT NOT NULL, text TEXT NOT NULL,
        meta TEXT, at TEXT NOT NULL, PRIMARY KEY (conversation_id, seq));
      CREATE TABLE IF NOT EXISTS usage_events (
        at INTEGER NOT NULL, surface TEXT NOT NULL, kind TEXT NOT NULL, name TEXT, ms REAL NOT NULL, ok INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS usage_events_at ON usage_events (at);`);
  }

  /** The owner's conversations, most recent first. */
  conversations(owner: string): ConversationSummary[] {
    return this.db
      .prepare(
        'SELECT id, title, updated_at AS updatedAt FROM web_conversations WHERE owner = ? ORDER BY updated_at DESC LIMIT 100',
      )
      .all(owner) as ConversationSummary[];
  }

  /** A conversation's messages, or undefined when it is not the owner's. */
  messages(owner: string, id: string): StoredMessage[] | undefined {
    const row = this.db.prepare('SELECT owner FROM web_conversations WHERE id = ?').get(id) as
      | { owner: string }
      | undefined;
    if (!row || row.owner !== owner) return undefined;
    return (
      this.db
        .prepare('SELECT role, text, meta, at FROM web_messages WHERE conversation_id = ? ORDER BY seq')
        .all(id) as { role: 'user' | 'assistant'; text: string; meta: string | null; at: string }[]
    ).map((m) => ({ role: m.role, text: m.text, at: m.at, ...(m.meta ? { meta: JSON.parse(m.meta) } : {}) }));
  }

  /**
   * The conversation to continue: `id` when it is the owner's, else a new one titled after the
   * question. Another user's id is never continued.
   */
  ensure(owner: string, id: string | undefined, question: string): string {
    if (id) {
      const row = this.db.prepare('SELECT owner FROM web_conversations WHERE id = ?').get(id) as
        | { owner: string }
        | undefined;
      if (row?.owner === owner) return id;
    }
    const created = randomUUID();
    const title = question.replace(/\s+/g, ' ').trim().slice(0, 60) || 'New conversation';
    this.db
      .prepare('INSERT INTO web_conversations (id, owner, title, updated_at) VALUES (?, ?, ?, ?)')
      .run(created, owner, title, new Date().toISOString());
    return created;
  }

  /** Appends a message and touches the conversation. */
  append(id: string, message: Omit<StoredMessage, 'at'>): void {
    const at = new Date().toISOString();
    this.db.transaction(() => {
      const next = this.db
        .prepare('SELECT COALESCE(MAX(seq), -1) + 1 AS n FROM web_messages WHERE conversation_id = ?')
        .get(id) as { n: number };
      this.db
        .prepare('INSERT INTO web_messages (conversation_id, seq, role, text, meta, at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(
          id,
          next.n,
          message.role,
          message.text,
          message.meta === undefined ? null : JSON.stringify(message.meta),
          at,
        );
      this.db.prepare('UPDATE web_conversations SET updated_at = ? WHERE id = ?').run(at, id);
    })();
  }

  /** Records one usage event. */
  record(e: UsageEvent, at = Date.now()): void {
    this.db
      .prepare('INSERT INTO usage_events (at, surface, kind, name, ms, ok) VALUES (?, ?, ?, ?, ?, ?)')
      .run(at, e.surface, e.kind, e.name ?? null, e.ms, e.ok ? 1 : 0);
  }

  /**
   * Usage per hour bucket over the last `hours`: counts per kind and median latency, per surface.
   * Computed in SQL so the page only draws it.
   */
  usage(hours = 24, now = Date.now()): { hour: string; surface: string; kind: string; count: number; p50: number }[] {
    const since = now - hours * 3_600_000;
    const rows = this.db
      .prepare(
        `SELECT (at / 3600000) * 3600000 AS bucket, surface, kind, ms FROM usage_events WHERE at >= ? ORDER BY bucket, surface, kind, ms`,
      )
      .all(since) as { bucket: number; surface: string; kind: string; ms: number }[];
    const groups = new Map<string, { bucket: number; surface: string; kind: string; ms: number[] }>();
    for (const r of rows) {
      const key = `${r.bucket}|${r.surface}|${r.kind}`;
      const g = groups.get(key) ?? { bucket: r.bucket, surface: r.surface, kind: r.kind, ms: [] };
      g.ms.push(r.ms);
      groups.set(key, g);
    }
    return [...groups.values()].map((g) => ({
      hour: new Date(g.bucket).toISOString(),
      surface: g.surface,
      kind: g.kind,
      count: g.ms.length,
      p50: g.ms[Math.floor((g.ms.length - 1) / 2)],
    }));
  }
}
