import { randomUUID } from 'node:crypto';
import { type DatabaseUnavailableError, databaseUnavailable } from '@hearth/core';
import type { SqlRunner, SqlValue } from '@hearth/core/storage';

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

/** One row of the usage summary: an hour, a surface and a kind, with a count and median latency. */
export interface UsageBucket {
  /** The hour's start, ISO 8601. */
  hour: string;
  surface: string;
  kind: string;
  count: number;
  /** Median latency in ms (the lower middle value for an even count). */
  p50: number;
}

const HOUR_MS = 3_600_000;
/** How often an append retries after another process took the same sequence number. */
const APPEND_ATTEMPTS = 50;

/**
 * The console's tables on the configured engine (SQLite in the data folder or the shared
 * PostgreSQL), so every `hearth web` process of a deployment sees the same conversations (to
 * resume a chat after a reload, a restart or on another instance; the engine keeps the model-side
 * history itself) and the same usage. The tables come from the storage migrations.
 *
 * Every method rejects with a {@link DatabaseUnavailableError} ("The database is unavailable: …")
 * when the database fails, so routes can answer 503 with one clear sentence.
 */
export class WebStore {
  constructor(private readonly sql: SqlRunner) {}

  /** The owner's conversations, most recent first (at most 100). */
  conversations(owner: string): Promise<ConversationSummary[]> {
    return this.guard(
      this.sql.all<ConversationSummary>(
        'SELECT id, title, updated_at AS "updatedAt" FROM web_conversations WHERE owner = $1 ORDER BY updated_at DESC, id LIMIT 100',
        [owner],
      ),
    );
  }

  /** A conversation's messages, or undefined when it is not the owner's. */
  async messages(owner: string, id: string): Promise<StoredMessage[] | undefined> {
    if ((await this.ownerOf(id)) !== owner) return undefined;
    const rows = await this.guard(
      this.sql.all<{ role: 'user' | 'assistant'; text: string; meta: string | null; at: string }>(
        'SELECT role, text, meta, at FROM web_messages WHERE conversation_id = $1 ORDER BY seq',
        [id],
      ),
    );
    return rows.map((m) => ({ role: m.role, text: m.text, at: m.at, ...(m.meta ? { meta: JSON.parse(m.meta) } : {}) }));
  }

  /**
   * The conversation to continue: `id` when it is the owner's, else a new one titled after the
   * question. Another user's id is never continued.
   */
  async ensure(owner: string, id: string | undefined, question: string): Promise<string> {
    if (id && (await this.ownerOf(id)) === owner) return id;
    const created = randomUUID();
    const title = question.replace(/\s+/g, ' ').trim().slice(0, 60) || 'New conversation';
    await this.guard(
      this.sql.run('INSERT INTO web_conversations (id, owner, title, updated_at) VALUES ($1, $2, $3, $4)', [
        created,
        owner,
        title,
        new Date().toISOString(),
      ]),
    );
    return created;
  }

  /**
   * Appends a message and touches the conversation. Safe when several processes append to one
   * conversation at once: the sequence number is computed inside the INSERT, and a process that
   * lost the race for a number (primary-key conflict, or SQLite's stale-snapshot busy) tries the
   * next one, so numbers stay unique and gap-free.
   */
  async append(id: string, message: Omit<StoredMessage, 'at'>): Promise<void> {
    const at = new Date().toISOString();
    const meta = message.meta === undefined ? null : JSON.stringify(message.meta);
    await this.guard(this.insertNext([id, message.role, message.text, meta, at]));
    // only moves forward, so a slower process with an older timestamp cannot reorder the list
    await this.guard(
      this.sql.run('UPDATE web_conversations SET updated_at = $1 WHERE id = $2 AND updated_at < $1', [at, id]),
    );
  }

  /** Records one usage event. */
  async record(e: UsageEvent, at = Date.now()): Promise<void> {
    await this.guard(
      this.sql.run('INSERT INTO usage_events (at, surface, kind, name, ms, ok) VALUES ($1, $2, $3, $4, $5, $6)', [
        Math.floor(at),
        e.surface,
        e.kind,
        e.name ?? null,
        e.ms,
        e.ok ? 1 : 0,
      ]),
    );
  }

  /**
   * Usage per hour bucket over the last `hours`: counts per kind and median latency, per surface,
   * ordered by hour, surface and kind. Buckets and medians are computed here from the rows, so both
   * engines give the same numbers; the page only draws them.
   */
  async usage(hours = 24, now = Date.now()): Promise<UsageBucket[]> {
    const since = Math.floor(now - hours * HOUR_MS);
    const rows = await this.guard(
      this.sql.all<{ at: number | string; surface: string; kind: string; ms: number | string }>(
        'SELECT at, surface, kind, ms FROM usage_events WHERE at >= $1',
        [since],
      ),
    );
    const groups = new Map<string, { bucket: number; surface: string; kind: string; ms: number[] }>();
    for (const r of rows) {
      const bucket = Math.floor(Number(r.at) / HOUR_MS) * HOUR_MS;
      const key = `${bucket}|${r.surface}|${r.kind}`;
      const g = groups.get(key) ?? { bucket, surface: r.surface, kind: r.kind, ms: [] };
      g.ms.push(Number(r.ms));
      groups.set(key, g);
    }
    const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...groups.values()]
      .sort((a, b) => a.bucket - b.bucket || byText(a.surface, b.surface) || byText(a.kind, b.kind))
      .map((g) => {
        const ms = g.ms.sort((a, b) => a - b);
        return {
          hour: new Date(g.bucket).toISOString(),
          surface: g.surface,
          kind: g.kind,
          count: ms.length,
          p50: ms[Math.floor((ms.length - 1) / 2)],
        };
      });
  }

  private async ownerOf(id: string): Promise<string | undefined> {
    const row = await this.guard(
      this.sql.get<{ owner: string }>('SELECT owner FROM web_conversations WHERE id = $1', [id]),
    );
    return row?.owner;
  }

  private async insertNext(params: readonly SqlValue[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sql.run(
          `INSERT INTO web_messages (conversation_id, seq, role, text, meta, at)
           SELECT $1, COALESCE(MAX(seq), -1) + 1, CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS TEXT), CAST($5 AS TEXT)
           FROM web_messages WHERE conversation_id = $1`,
          params,
        );
        return;
      } catch (err) {
        if (attempt >= APPEND_ATTEMPTS || !lostTheRace(err)) throw err;
        // a short random pause so the processes that collided do not collide again in step
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }

  private guard<T>(pending: Promise<T>): Promise<T> {
    return pending.catch((err: unknown) => {
      throw databaseUnavailable(err);
    });
  }
}

/** Another process inserted the same sequence number first (PostgreSQL 23505, SQLite's PK or busy snapshot). */
function lostTheRace(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    (typeof code === 'string' && code.startsWith('SQLITE_BUSY'))
  );
}
