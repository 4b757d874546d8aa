import type Database from 'better-sqlite3';
import { openSqliteFile } from '../storage/database.js';
import type { LoadedDoc } from './loaders/types.js';
import type { SourceInfo } from './types.js';

/** A source row as the catalog stores it. */
export interface SourceRow {
  id: string;
  title: string;
  uri: string;
  scope: SourceInfo['scope'];
  guildId?: string;
  channelId?: string;
  mimeType: string;
  contentHash: string;
  addedAt: string;
}

/**
 * Source bookkeeping in SQLite (WAL, one transaction per step, so a kill leaves it consistent): the sources and
 * their documents (kept so any embedder's table can be rebuilt without the original files), what each LanceDB
 * table holds per source, and a write-ahead `pending` list of table writes not yet finished.
 */
export class Catalog {
  readonly #db: Database.Database;

  constructor(path: string) {
    this.#db = openSqliteFile(path);
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS sources (id TEXT PRIMARY KEY, title TEXT NOT NULL, uri TEXT NOT NULL, scope TEXT NOT NULL,
        guild_id TEXT, channel_id TEXT, mime_type TEXT NOT NULL, content_hash TEXT NOT NULL, added_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS documents (source_id TEXT NOT NULL, ord INTEGER NOT NULL, doc_id TEXT, title TEXT NOT NULL,
        text TEXT NOT NULL, markdown INTEGER NOT NULL, PRIMARY KEY (source_id, ord));
      CREATE TABLE IF NOT EXISTS indexed (tbl TEXT NOT NULL, source_id TEXT NOT NULL, content_hash TEXT NOT NULL,
        chunks INTEGER NOT NULL, PRIMARY KEY (tbl, source_id));
      CREATE TABLE IF NOT EXISTS pending (tbl TEXT NOT NULL, source_id TEXT NOT NULL, generation TEXT NOT NULL,
        PRIMARY KEY (tbl, source_id, generation));
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
  }

  getMeta(key: string): string | undefined {
    return (this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.#db
      .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  getSource(id: string): SourceRow | undefined {
    const row = this.#db.prepare('SELECT * FROM sources WHERE id = ?').get(id);
    return row ? toSource(row as Record<string, string>) : undefined;
  }

  /** Whether any source is guild- or channel-scoped, or any write is pending (its scope unknown). */
  mayHaveScopedRows(): boolean {
    return Boolean(
      this.#db.prepare("SELECT 1 FROM sources WHERE scope != 'global' UNION ALL SELECT 1 FROM pending LIMIT 1").get(),
    );
  }

  listSources(): SourceRow[] {
    return (this.#db.prepare('SELECT * FROM sources ORDER BY added_at, id').all() as Record<string, string>[]).map(
      toSource,
    );
  }

  /** Writes a source and its documents in one transaction (replacing any earlier version). */
  putSource(source: SourceRow, docs: LoadedDoc[]): void {
    const insertDoc = this.#db.prepare(
      'INSERT INTO documents (source_id, ord, doc_id, title, text, markdown) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO sources (id, title, uri, scope, guild_id, channel_id, mime_type, content_hash, added_at)
           VALUES (@id, @title, @uri, @scope, @guildId, @channelId, @mimeType, @contentHash, @addedAt)
           ON CONFLICT(id) DO UPDATE SET title = excluded.title, uri = excluded.uri, mime_type = excluded.mime_type,
             content_hash = excluded.content_hash`,
        )
        .run({ ...source, guildId: source.guildId ?? null, channelId: source.channelId ?? null });
      this.#db.prepare('DELETE FROM documents WHERE source_id = ?').run(source.id);
      for (const [i, d] of docs.entries())
        insertDoc.run(source.id, i, d.docId ?? null, d.title, d.text, d.markdown ? 1 : 0);
    })();
  }

  getDocuments(sourceId: string): LoadedDoc[] {
    const rows = this.#db.prepare('SELECT * FROM documents WHERE source_id = ? ORDER BY ord').all(sourceId) as {
      doc_id: string | null;
      title: string;
      text: string;
      markdown: number;
    }[];
    return rows.map((r) => ({
      docId: r.doc_id ?? undefined,
      title: r.title,
      text: r.text,
      markdown: r.markdown === 1,
    }));
  }

  deleteSource(id: string): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM sources WHERE id = ?').run(id);
      this.#db.prepare('DELETE FROM documents WHERE source_id = ?').run(id);
    })();
  }

  /** What a table holds: source id to content hash and chunk count. */
  indexedIn(table: string): Map<string, { contentHash: string; chunks: number }> {
    const rows = this.#db.prepare('SELECT source_id, content_hash, chunks FROM indexed WHERE tbl = ?').all(table) as {
      source_id: string;
      content_hash: string;
      chunks: number;
    }[];
    return new Map(rows.map((r) => [r.source_id, { contentHash: r.content_hash, chunks: r.chunks }]));
  }

  indexedEntry(table: string, sourceId: string): { contentHash: string; chunks: number } | undefined {
    const row = this.#db
      .prepare('SELECT content_hash, chunks FROM indexed WHERE tbl = ? AND source_id = ?')
      .get(table, sourceId) as { content_hash: string; chunks: number } | undefined;
    return row ? { contentHash: row.content_hash, chunks: row.chunks } : undefined;
  }

  tablesHolding(sourceId: string): string[] {
    return (this.#db.prepare('SELECT tbl FROM indexed WHERE source_id = ?').all(sourceId) as { tbl: string }[]).map(
      (r) => r.tbl,
    );
  }

  /** Records table writes about to happen (before the LanceDB append). */
  addPending(table: string, entries: { sourceId: string; generation: string }[]): void {
    const stmt = this.#db.prepare('INSERT OR IGNORE INTO pending (tbl, source_id, generation) VALUES (?, ?, ?)');
    this.#db.transaction(() => {
      for (const e of entries) stmt.run(table, e.sourceId, e.generation);
    })();
  }

  /** Marks appended generations as the table's content (after the LanceDB append committed). */
  commitIndexed(table: string, entries: { sourceId: string; generation: string; chunks: number }[]): void {
    const stmt = this.#db.prepare(
      `INSERT INTO indexed (tbl, source_id, content_hash, chunks) VALUES (?, ?, ?, ?)
       ON CONFLICT(tbl, source_id) DO UPDATE SET content_hash = excluded.content_hash, chunks = excluded.chunks`,
    );
    this.#db.transaction(() => {
      for (const e of entries) stmt.run(table, e.sourceId, e.generation, e.chunks);
    })();
  }

  removeIndexed(table: string, sourceId: string): void {
    this.#db.prepare('DELETE FROM indexed WHERE tbl = ? AND source_id = ?').run(table, sourceId);
  }

  listPending(table: string): { sourceId: string; generation: string }[] {
    return (
      this.#db.prepare('SELECT source_id, generation FROM pending WHERE tbl = ?').all(table) as {
        source_id: string;
        generation: string;
      }[]
    ).map((r) => ({ sourceId: r.source_id, generation: r.generation }));
  }

  clearPending(table: string, entries: { sourceId: string; generation: string }[]): void {
    const stmt = this.#db.prepare('DELETE FROM pending WHERE tbl = ? AND source_id = ? AND generation = ?');
    this.#db.transaction(() => {
      for (const e of entries) stmt.run(table, e.sourceId, e.generation);
    })();
  }

  close(): void {
    this.#db.close();
  }
}

function toSource(row: Record<string, string>): SourceRow {
  return {
    id: row.id,
    title: row.title,
    uri: row.uri,
    scope: row.scope as SourceRow['scope'],
    guildId: row.guild_id ?? undefined,
    channelId: row.channel_id ?? undefined,
    mimeType: row.mime_type,
    contentHash: row.content_hash,
    addedAt: row.added_at,
  };
}
