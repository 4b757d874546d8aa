import { KEEP_MS, type SqlRunner, type StoreWarn, unlessUnavailable } from '../storage/unavailable.js';

/**
 * Remembers which reply chain each message belongs to, so a reply to any message of a chain
 * (the user's or the bot's) continues the same conversation. The links live in the configured
 * database (migration 5's `discord_message_links`), so chains continue across restarts and across
 * the shard processes and machines sharing it; a bounded in-memory cache sits in front (a hit
 * needs no query, a miss reads the database). Without a database (hand-made test contexts) it is
 * memory only. Database failures reject with a `DatabaseUnavailableError` users can be shown.
 */
export class ChainIndex {
  private readonly cache = new Map<string, string>();
  /** Settles once the start's pruning of old links is done (failures are logged, never thrown). */
  readonly pruned: Promise<void>;

  constructor(
    private readonly sql?: SqlRunner,
    warn?: StoreWarn,
    private readonly capacity = 50_000,
  ) {
    this.pruned = sql
      ? this.prune().then(
          () => {},
          (err) => warn?.({ err: String((err as Error)?.message ?? err) }, 'discord: could not prune old chain links'),
        )
      : Promise.resolve();
  }

  /** Deletes links older than 180 days; resolves with how many went. */
  async prune(now = Date.now()): Promise<number> {
    if (!this.sql) return 0;
    return unlessUnavailable(this.sql.run('DELETE FROM discord_message_links WHERE created_at < $1', [now - KEEP_MS]));
  }

  /** The chain root of a message, when known (from memory, else from the database). */
  async rootOf(messageId: string): Promise<string | undefined> {
    const cached = this.cache.get(messageId);
    if (cached || !this.sql) return cached;
    const row = await unlessUnavailable(
      this.sql.get<{ chain_id: string }>('SELECT chain_id FROM discord_message_links WHERE message_id = $1', [
        messageId,
      ]),
    );
    if (row) this.remember(row.chain_id, [messageId]);
    return row?.chain_id;
  }

  /** How many messages are linked to the chain rooted at `root` (questions and answer messages). */
  async size(root: string): Promise<number> {
    if (!this.sql) {
      let n = 0;
      for (const r of this.cache.values()) if (r === root) n++;
      return n;
    }
    const row = await unlessUnavailable(
      this.sql.get<{ n: number }>(
        'SELECT CAST(COUNT(*) AS INTEGER) AS n FROM discord_message_links WHERE chain_id = $1',
        [root],
      ),
    );
    return Number(row?.n ?? 0);
  }

  /**
   * Records that `messageIds` belong to the chain rooted at `root`: at once in this process's
   * cache (so this process continues the chain even if the write fails), then in the database,
   * all in one statement.
   */
  async link(root: string, ...messageIds: string[]): Promise<void> {
    const ids = [...new Set(messageIds)];
    if (!ids.length) return;
    this.remember(root, ids);
    if (!this.sql) return;
    // $1 the root and $2 the time serve every row; the ids follow from $3
    const rows = ids.map((_, i) => `($${i + 3}, $1, $2)`).join(', ');
    await unlessUnavailable(
      this.sql.run(
        `INSERT INTO discord_message_links (message_id, chain_id, created_at) VALUES ${rows} ON CONFLICT (message_id) DO UPDATE SET chain_id = excluded.chain_id`,
        [root, Date.now(), ...ids],
      ),
    );
  }

  private remember(root: string, ids: string[]): void {
    for (const id of ids) {
      this.cache.delete(id);
      this.cache.set(id, root);
    }
    while (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
  }
}
