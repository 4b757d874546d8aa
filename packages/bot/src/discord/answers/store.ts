import type { Citation, ConversationKey } from '@hearth/core';
import { KEEP_MS, type SqlRunner, type StoreWarn, unlessUnavailable } from '../storage/unavailable.js';

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

const MEMORY_CAP = 5_000;

/**
 * Answers (question, answer, sources, conversation) by the message their buttons are on, and the
 * feedback members give them, in the configured database (migration 5's `discord_answers` and
 * `discord_feedback`), so buttons keep working after a restart and on every shard process or
 * machine sharing it, and feedback stays with the turn it judges. Memory only without a database.
 * Database failures reject with a `DatabaseUnavailableError` users can be shown.
 */
export class AnswerStore {
  private readonly memory = new Map<string, AnswerRecord>();
  private readonly memoryVotes = new Map<string, Verdict>();
  /** Settles once the start's pruning of old answers is done (failures are logged, never thrown). */
  readonly pruned: Promise<void>;

  constructor(
    private readonly sql?: SqlRunner,
    warn?: StoreWarn,
  ) {
    this.pruned = sql
      ? this.prune().then(
          () => {},
          (err) => warn?.({ err: String((err as Error)?.message ?? err) }, 'discord: could not prune old answers'),
        )
      : Promise.resolve();
  }

  /** Deletes answer records older than 180 days; resolves with how many went. */
  async prune(now = Date.now()): Promise<number> {
    if (!this.sql) return 0;
    return unlessUnavailable(this.sql.run('DELETE FROM discord_answers WHERE created_at < $1', [now - KEEP_MS]));
  }

  async put(record: AnswerRecord): Promise<void> {
    if (!this.sql) {
      this.memory.set(record.messageId, record);
      if (this.memory.size > MEMORY_CAP) this.memory.delete(this.memory.keys().next().value!);
      return;
    }
    await unlessUnavailable(
      this.sql.run(
        'INSERT INTO discord_answers (message_id, record, created_at) VALUES ($1, $2, $3) ON CONFLICT (message_id) DO UPDATE SET record = excluded.record',
        [record.messageId, JSON.stringify(record), Date.now()],
      ),
    );
  }

  async get(messageId: string): Promise<AnswerRecord | undefined> {
    if (!this.sql) return this.memory.get(messageId);
    const row = await unlessUnavailable(
      this.sql.get<{ record: string }>('SELECT record FROM discord_answers WHERE message_id = $1', [messageId]),
    );
    return row ? (JSON.parse(row.record) as AnswerRecord) : undefined;
  }

  /** Records (or changes) one member's verdict, with the question and answer it judges. */
  async vote(record: AnswerRecord, userId: string, verdict: Verdict): Promise<void> {
    if (!this.sql) {
      this.memoryVotes.set(`${record.messageId}:${userId}`, verdict);
      return;
    }
    await unlessUnavailable(
      this.sql.run(
        'INSERT INTO discord_feedback (message_id, user_id, verdict, question, answer, model, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (message_id, user_id) DO UPDATE SET verdict = excluded.verdict, created_at = excluded.created_at',
        [record.messageId, userId, verdict, record.question, record.answer, record.model, Date.now()],
      ),
    );
  }

  /** One member's verdict on an answer, if any. */
  async verdict(messageId: string, userId: string): Promise<Verdict | undefined> {
    if (!this.sql) return this.memoryVotes.get(`${messageId}:${userId}`);
    const row = await unlessUnavailable(
      this.sql.get<{ verdict: Verdict }>(
        'SELECT verdict FROM discord_feedback WHERE message_id = $1 AND user_id = $2',
        [messageId, userId],
      ),
    );
    return row?.verdict;
  }

  /** Votes per verdict on an answer. */
  async tally(messageId: string): Promise<Record<Verdict, number>> {
    const out: Record<Verdict, number> = { up: 0, down: 0 };
    if (!this.sql) {
      for (const [key, v] of this.memoryVotes) if (key.startsWith(`${messageId}:`)) out[v]++;
      return out;
    }
    const rows = await unlessUnavailable(
      this.sql.all<{ verdict: Verdict; n: number }>(
        'SELECT verdict, CAST(COUNT(*) AS INTEGER) AS n FROM discord_feedback WHERE message_id = $1 GROUP BY verdict',
        [messageId],
      ),
    );
    for (const row of rows) out[row.verdict] = Number(row.n);
    return out;
  }
}
