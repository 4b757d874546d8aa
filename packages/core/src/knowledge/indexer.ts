import { createHash } from 'node:crypto';
import type { Embedder } from '../providers/types.js';
import type { Catalog, SourceRow } from './catalog.js';
import { type ChunkRow, type ChunkTable, sql } from './chunk-table.js';
import { type ChunkOptions, chunkText } from './chunker.js';
import type { ProgressFn } from './types.js';

/** Bumped whenever chunking changes, so stored chunks are rebuilt. */
const CHUNKER_VERSION = 1;
const FLUSH_ROWS = 2_048;
const EMBED_BATCH = 256;

/** The generation a table stores for a source: its content hash and the chunking that cut it. */
export function generationOf(contentHash: string, chunking: ChunkOptions): string {
  return createHash('sha256')
    .update(`${contentHash}|${CHUNKER_VERSION}|${chunking.maxTokens}|${chunking.overlapTokens}`)
    .digest('hex')
    .slice(0, 24);
}

interface Buffered {
  source: SourceRow;
  generation: string;
  rows: Omit<ChunkRow, 'vector'>[];
  embedText: string[];
  replaces: boolean;
}

/**
 * Writes sources into one chunk table. Order per batch, so a kill at any point is recoverable:
 * 1. `pending` rows in the catalog, 2. LanceDB append (one commit), 3. catalog `indexed` commit,
 * 4. deletion of the sources' older generations, 5. `pending` cleared. `recover()` finishes or undoes step 2-4.
 */
export class Indexer {
  #buffer: Buffered[] = [];
  #bufferedRows = 0;

  constructor(
    readonly catalog: Catalog,
    readonly table: ChunkTable,
    readonly embedder: Embedder,
    readonly chunking: ChunkOptions,
    /** Rows buffered before one LanceDB append (bigger is faster; small values exercise crash recovery). */
    readonly flushRows = FLUSH_ROWS,
  ) {}

  /** Rows of one source, cut from its stored documents. */
  #rowsOf(source: SourceRow, generation: string): { rows: Omit<ChunkRow, 'vector'>[]; embedText: string[] } {
    const rows: Omit<ChunkRow, 'vector'>[] = [];
    const embedText: string[] = [];
    this.catalog.getDocuments(source.id).forEach((doc, ord) => {
      const docId = doc.docId ?? String(ord);
      const chunks = chunkText(doc.text, { ...this.chunking, markdown: doc.markdown });
      chunks.forEach((chunk, n) => {
        const heading = chunk.headingPath.join(' > ');
        const prefix = [doc.title, heading].filter((p) => p && !chunk.text.startsWith(p)).join('\n');
        const indexed = prefix ? `${prefix}\n${chunk.text}` : chunk.text;
        rows.push({
          id: `${source.id}:${docId}:${n}`,
          source_id: source.id,
          doc_id: docId,
          title: doc.title,
          text: chunk.text,
          fts_text: indexed,
          heading: JSON.stringify(chunk.headingPath),
          char_start: chunk.start,
          char_end: chunk.end,
          chunk_hash: chunk.hash,
          generation,
          scope: source.scope,
          guild_id: source.guildId ?? '',
          channel_id: source.channelId ?? '',
          uri: source.uri,
        });
        embedText.push(indexed);
      });
    });
    return { rows, embedText };
  }

  /** Queues a source for (re)writing; flushes when enough rows are buffered. */
  async write(source: SourceRow, signal?: AbortSignal): Promise<number> {
    const generation = generationOf(source.contentHash, this.chunking);
    const previous = this.catalog.indexedEntry(this.table.name, source.id);
    const { rows, embedText } = this.#rowsOf(source, generation);
    this.#buffer.push({ source, generation, rows, embedText, replaces: previous !== undefined });
    this.#bufferedRows += rows.length;
    if (this.#bufferedRows >= this.flushRows) await this.flush(signal);
    return rows.length;
  }

  async flush(signal?: AbortSignal): Promise<void> {
    const batch = this.#buffer;
    if (batch.length === 0) return;
    this.#buffer = [];
    this.#bufferedRows = 0;
    const texts = batch.flatMap((b) => b.embedText);
    const vectors: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += EMBED_BATCH) {
      vectors.push(...(await this.embedder.embed(texts.slice(i, i + EMBED_BATCH), signal)));
    }
    signal?.throwIfAborted();
    const rows: ChunkRow[] = [];
    let v = 0;
    for (const b of batch) for (const row of b.rows) rows.push({ ...row, vector: vectors[v++] });
    const entries = batch.map((b) => ({ sourceId: b.source.id, generation: b.generation, chunks: b.rows.length }));
    this.catalog.addPending(this.table.name, entries);
    await this.table.add(rows);
    this.catalog.commitIndexed(this.table.name, entries);
    const replaced = batch.filter((b) => b.replaces);
    if (replaced.length)
      await this.table.delete(
        replaced.map((b) => `(source_id = ${sql(b.source.id)} AND generation != ${sql(b.generation)})`).join(' OR '),
      );
    this.catalog.clearPending(this.table.name, entries);
  }

  /** Finishes or undoes table writes a killed process left half done. */
  async recover(): Promise<number> {
    const pending = this.catalog.listPending(this.table.name);
    if (pending.length === 0) return 0;
    const indexed = this.catalog.indexedIn(this.table.name);
    const predicates = pending.map((p) =>
      indexed.get(p.sourceId)?.contentHash === p.generation
        ? `(source_id = ${sql(p.sourceId)} AND generation != ${sql(p.generation)})`
        : `(source_id = ${sql(p.sourceId)} AND generation = ${sql(p.generation)})`,
    );
    for (let i = 0; i < predicates.length; i += 200) await this.table.delete(predicates.slice(i, i + 200).join(' OR '));
    this.catalog.clearPending(this.table.name, pending);
    return pending.length;
  }

  /**
   * Brings the table in line with the catalog: removes rows of deleted sources and writes every source whose
   * stored generation differs (new, changed, never indexed with this embedder, or interrupted).
   */
  async sync(onProgress?: ProgressFn, signal?: AbortSignal): Promise<{ sources: number; chunks: number }> {
    await this.recover();
    const indexed = this.catalog.indexedIn(this.table.name);
    const sources = this.catalog.listSources();
    const live = new Set(sources.map((s) => s.id));
    for (const sourceId of indexed.keys()) {
      if (live.has(sourceId)) continue;
      await this.table.delete(`source_id = ${sql(sourceId)}`);
      this.catalog.removeIndexed(this.table.name, sourceId);
    }
    const stale = sources.filter((s) => indexed.get(s.id)?.contentHash !== generationOf(s.contentHash, this.chunking));
    let chunks = 0;
    for (let i = 0; i < stale.length; i++) {
      signal?.throwIfAborted();
      chunks += await this.write(stale[i], signal);
      onProgress?.(i + 1, stale.length, stale[i].uri);
    }
    await this.flush(signal);
    return { sources: stale.length, chunks };
  }
}
