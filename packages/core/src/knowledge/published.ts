import type { SqlRunner } from '../storage/sql.js';
import type { SourceInfo } from './types.js';

/** A source as published: its listing fields and its text (MCP `resources/read`, `hearth sources show`). */
export type PublishedSource = SourceInfo & { text: string };

type Row = {
  id: string;
  title: string;
  uri: string;
  scope: SourceInfo['scope'];
  guild_id: string | null;
  channel_id: string | null;
  chunks: number;
  content_hash: string;
  added_at: string;
  text?: string;
};

const fromRow = (r: Row): SourceInfo => ({
  id: r.id,
  title: r.title,
  uri: r.uri,
  scope: r.scope,
  ...(r.guild_id !== null ? { guildId: r.guild_id } : {}),
  ...(r.channel_id !== null ? { channelId: r.channel_id } : {}),
  chunks: Number(r.chunks),
  contentHash: r.content_hash,
  addedAt: r.added_at,
});

const LIST =
  'SELECT id, title, uri, scope, guild_id, channel_id, chunks, content_hash, added_at FROM knowledge_sources';

/**
 * The ingest writer's source list in the deployment's database (PostgreSQL), so `hearth sources`,
 * `/knowledge list` and MCP resources on every other process and machine list what the one writer
 * holds. The writer's own catalog stays in SQLite beside its LanceDB folder: its write-ahead list of
 * pending table writes must live with the writes it guards. The writer publishes each change before
 * the ingest call returns, and republishes everything when it opens.
 */
export class PublishedCatalog {
  constructor(private readonly sql: SqlRunner) {}

  /** Adds or replaces one source. */
  async put(source: PublishedSource): Promise<void> {
    await this.sql.run(
      `INSERT INTO knowledge_sources (id, title, uri, scope, guild_id, channel_id, chunks, content_hash, added_at, text, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (id) DO UPDATE SET title = excluded.title, uri = excluded.uri, scope = excluded.scope,
         guild_id = excluded.guild_id, channel_id = excluded.channel_id, chunks = excluded.chunks,
         content_hash = excluded.content_hash, added_at = excluded.added_at, text = excluded.text, updated_at = excluded.updated_at`,
      [
        source.id,
        source.title,
        source.uri,
        source.scope,
        source.guildId ?? null,
        source.channelId ?? null,
        source.chunks,
        source.contentHash,
        source.addedAt,
        source.text,
        Date.now(),
      ],
    );
  }

  async remove(id: string): Promise<void> {
    await this.sql.run('DELETE FROM knowledge_sources WHERE id = $1', [id]);
  }

  /**
   * Makes the published list equal the writer's catalog (at open or after a reindex). Only sources
   * whose listing differs are written, so a restart re-sends no unchanged text.
   */
  async replaceAll(sources: SourceInfo[], text: (id: string) => string): Promise<void> {
    const published = new Map((await this.list()).map((s) => [s.id, s]));
    for (const s of sources) {
      if (!sameListing(published.get(s.id), s)) await this.put({ ...s, text: text(s.id) });
      published.delete(s.id);
    }
    for (const id of published.keys()) await this.remove(id);
  }

  async list(): Promise<SourceInfo[]> {
    return (await this.sql.all<Row>(`${LIST} ORDER BY added_at, id`)).map(fromRow);
  }

  async get(id: string): Promise<PublishedSource | undefined> {
    const row = await this.sql.get<Row>(
      'SELECT id, title, uri, scope, guild_id, channel_id, chunks, content_hash, added_at, text FROM knowledge_sources WHERE id = $1',
      [id],
    );
    return row ? { ...fromRow(row), text: row.text ?? '' } : undefined;
  }
}

function sameListing(a: SourceInfo | undefined, b: SourceInfo): boolean {
  return (
    !!a &&
    a.contentHash === b.contentHash &&
    a.chunks === b.chunks &&
    a.title === b.title &&
    a.uri === b.uri &&
    a.scope === b.scope &&
    a.guildId === b.guildId &&
    a.channelId === b.channelId &&
    a.addedAt === b.addedAt
  );
}
