import type { Hearth } from '@hearth/core';

/** The data folder's SQLite database, as Hearth opens it. */
type Database = Hearth['db'];

/** Links older than this are pruned at start: nobody replies to a months-old answer expecting context. */
const KEEP_MS = 180 * 24 * 60 * 60 * 1000;

/**
 * Remembers which reply chain each message belongs to, so a reply to any message of a chain
 * (the user's or the bot's) continues the same conversation. The links live in the data folder's
 * SQLite database, so chains continue across restarts; a bounded in-memory cache sits in front.
 * Without a database (hand-made test contexts) it is memory only.
 */
export class ChainIndex {
  private readonly cache = new Map<string, string>();
  private readonly stmts;

  constructor(
    db?: Database,
    private readonly capacity = 50_000,
  ) {
    if (!db) return;
    db.exec(`
      CREATE TABLE IF NOT EXISTS discord_message_links (
        message_id TEXT PRIMARY KEY,
        chain_id TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS discord_message_links_by_age ON discord_message_links (created_at);
    `);
    db.prepare('DELETE FROM discord_message_links WHERE created_at < ?').run(Date.now() - KEEP_MS);
    const insert = db.prepare(
      'INSERT INTO discord_message_links (message_id, chain_id, created_at) VALUES (?, ?, ?) ON CONFLICT(message_id) DO UPDATE SET chain_id = excluded.chain_id',
    );
    this.stmts = {
      get: db.prepare<[string], { chain_id: string }>(
        'SELECT chain_id FROM discord_message_links WHERE message_id = ?',
      ),
      size: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM discord_message_links WHERE chain_id = ?'),
      insertAll: db.transaction((root: string, ids: string[]) => {
        const now = Date.now();
        for (const id of ids) insert.run(id, root, now);
      }),
    };
  }

  /** The chain root of a message, when known (from memory, else from the database). */
  rootOf(messageId: string): string | undefined {
    const cached = this.cache.get(messageId);
    if (cached) return cached;
    const stored = this.stmts?.get.get(messageId)?.chain_id;
    if (stored) this.remember(stored, [messageId]);
    return stored;
  }

  /** How many messages are linked to the chain rooted at `root` (questions and answer messages). */
  size(root: string): number {
    if (this.stmts) return this.stmts.size.get(root)?.n ?? 0;
    let n = 0;
    for (const r of this.cache.values()) if (r === root) n++;
    return n;
  }

  /** Records that `messageIds` belong to the chain rooted at `root`. */
  link(root: string, ...messageIds: string[]): void {
    if (!messageIds.length) return;
    this.stmts?.insertAll(root, messageIds);
    this.remember(root, messageIds);
  }

  private remember(root: string, ids: string[]): void {
    for (const id of ids) {
      this.cache.delete(id);
      this.cache.set(id, root);
    }
    while (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
  }
}
