import type { Citation, ConversationKey, Hearth } from '@hearth/core';

/** What the buttons under an answer need: the turn it came from. */
export interface AnswerRecord {
  /** The message the buttons sit on (the answer's last message). */
  messageId: string;
  conversation: ConversationKey;
  /** Who asked: only they (or an admin) may regenerate. */
  userId: string;
  question: string;
  answer: string;
  citations: Pick<Citation, 'n' | 'title' | 'uri' | 'excerpt'>[];
  model: string;
}

/** A member's verdict on an answer. */
export type Verdict = 'up' | 'down';

const KEEP_MS = 180 * 24 * 60 * 60 * 1000;
const MEMORY_CAP = 5_000;

/**
 * Answers (question, answer, sources, conversation) by the message their buttons are on, and the
 * feedback members give them, in the data folder's SQLite database, so buttons keep working after
 * a restart and feedback stays with the turn it judges. Memory only without a database.
 */
export class AnswerStore {
  private readonly memory = new Map<string, AnswerRecord>();
  private readonly memoryVotes = new Map<string, Verdict>();
  private readonly stmts;

  constructor(db?: Hearth['db']) {
    if (!db) return;
    db.exec(`
      CREATE TABLE IF NOT EXISTS discord_answers (
        message_id TEXT PRIMARY KEY,
        record TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS discord_feedback (
        message_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('up', 'down')),
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        model TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, user_id)
      );
    `);
    db.prepare('DELETE FROM discord_answers WHERE created_at < ?').run(Date.now() - KEEP_MS);
    this.stmts = {
      put: db.prepare(
        'INSERT INTO discord_answers (message_id, record, created_at) VALUES (?, ?, ?) ON CONFLICT(message_id) DO UPDATE SET record = excluded.record',
      ),
      get: db.prepare<[string], { record: string }>('SELECT record FROM discord_answers WHERE message_id = ?'),
      vote: db.prepare(
        'INSERT INTO discord_feedback (message_id, user_id, verdict, question, answer, model, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(message_id, user_id) DO UPDATE SET verdict = excluded.verdict, created_at = excluded.created_at',
      ),
      verdict: db.prepare<[string, string], { verdict: Verdict }>(
        'SELECT verdict FROM discord_feedback WHERE message_id = ? AND user_id = ?',
      ),
      tally: db.prepare<[string], { verdict: Verdict; n: number }>(
        'SELECT verdict, COUNT(*) AS n FROM discord_feedback WHERE message_id = ? GROUP BY verdict',
      ),
    };
  }

  put(record: AnswerRecord): void {
    if (this.stmts) this.stmts.put.run(record.messageId, JSON.stringify(record), Date.now());
    else {
      this.memory.set(record.messageId, record);
      if (this.memory.size > MEMORY_CAP) this.memory.delete(this.memory.keys().next().value!);
    }
  }

  get(messageId: string): AnswerRecord | undefined {
    if (!this.stmts) return this.memory.get(messageId);
    const row = this.stmts.get.get(messageId);
    return row ? (JSON.parse(row.record) as AnswerRecord) : undefined;
  }

  /** Records (or changes) one member's verdict, with the question and answer it judges. */
  vote(record: AnswerRecord, userId: string, verdict: Verdict): void {
    if (this.stmts)
      this.stmts.vote.run(record.messageId, userId, verdict, record.question, record.answer, record.model, Date.now());
    else this.memoryVotes.set(`${record.messageId}:${userId}`, verdict);
  }

  /** One member's verdict on an answer, if any. */
  verdict(messageId: string, userId: string): Verdict | undefined {
    if (!this.stmts) return this.memoryVotes.get(`${messageId}:${userId}`);
    return this.stmts.verdict.get(messageId, userId)?.verdict;
  }

  /** Votes per verdict on an answer. */
  tally(messageId: string): Record<Verdict, number> {
    const out: Record<Verdict, number> = { up: 0, down: 0 };
    if (!this.stmts) {
      for (const [key, v] of this.memoryVotes) if (key.startsWith(`${messageId}:`)) out[v]++;
      return out;
    }
    for (const row of this.stmts.tally.all(messageId)) out[row.verdict] = row.n;
    return out;
  }
}
