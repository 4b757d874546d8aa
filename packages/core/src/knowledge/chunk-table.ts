import { type Connection, Index, type Table } from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Int32, Schema, Utf8 } from 'apache-arrow';

/** One chunk row in a LanceDB table. */
export interface ChunkRow {
  id: string;
  source_id: string;
  doc_id: string;
  title: string;
  text: string;
  /** Title, heading path and text: what BM25 indexes (repeating the title scored better than separate fields). */
  fts_text: string;
  heading: string;
  char_start: number;
  char_end: number;
  chunk_hash: string;
  generation: string;
  scope: string;
  guild_id: string;
  channel_id: string;
  uri: string;
  vector: number[] | Float32Array;
}

/** A row returned by a search, with its raw score and vector. */
/** Only the columns a hit needs: each extra string column is another random read per row (~+30 % per search at 100k chunks). */
const RESULT_COLUMNS = [
  'vector',
  'id',
  'source_id',
  'doc_id',
  'title',
  'text',
  'heading',
  'char_start',
  'char_end',
  'uri',
] as const;

/** What `rowsOf` reads: the vector is already known from the search. */
const SHOWN_COLUMNS = RESULT_COLUMNS.filter((c) => c !== 'vector');

export type ScoredRow = Pick<ChunkRow, Exclude<(typeof RESULT_COLUMNS)[number], 'vector'>> & {
  score: number;
  vector: Float32Array;
};

/** A candidate of one retriever: its id, raw score (higher is better), vector and LanceDB row id. */
export interface Candidate {
  id: string;
  score: number;
  vector: Float32Array;
  rowId: bigint;
}

/** When a table gets an ANN (HNSW) index; below it a flat scan is exact and fast enough. */
export const ANN_THRESHOLD = 20_000;

function schema(dimension: number): Schema {
  const text = (name: string) => new Field(name, new Utf8(), false);
  return new Schema([
    text('id'),
    text('source_id'),
    text('doc_id'),
    text('title'),
    text('text'),
    text('fts_text'),
    text('heading'),
    new Field('char_start', new Int32(), false),
    new Field('char_end', new Int32(), false),
    text('chunk_hash'),
    text('generation'),
    text('scope'),
    text('guild_id'),
    text('channel_id'),
    text('uri'),
    new Field('vector', new FixedSizeList(dimension, new Field('item', new Float32(), true)), false),
  ]);
}

/** Quotes a value for a LanceDB SQL filter. */
export function sql(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** One LanceDB table of chunks for one embedder and dimension. */
export class ChunkTable {
  #table: Table | undefined;
  #hasFts = false;
  #hasVectorIndex = false;
  #checkedAt = 0;

  private constructor(
    readonly db: Connection,
    readonly name: string,
    readonly dimension: number,
    /** How often searches re-read which indexes exist (another process may have built them). */
    readonly refreshMs: number,
  ) {}

  static async open(db: Connection, name: string, dimension: number, refreshMs = 5_000): Promise<ChunkTable> {
    const t = new ChunkTable(db, name, dimension, refreshMs);
    const names = await db.tableNames();
    t.#table = names.includes(name)
      ? await db.openTable(name)
      : await db.createEmptyTable(name, schema(dimension), { existOk: true });
    await t.#refreshIndexState();
    return t;
  }

  get table(): Table {
    if (!this.#table) throw new Error('knowledge table is closed');
    return this.#table;
  }

  async #refreshIndexState(): Promise<void> {
    this.#checkedAt = Date.now();
    const indices = await this.table.listIndices();
    this.#hasFts = indices.some((i) => i.columns.includes('fts_text'));
    this.#hasVectorIndex = indices.some((i) => i.columns.includes('vector'));
  }

  /** Re-reads the index state once `refreshMs` passed: a reader sees the writer's new FTS/HNSW index. */
  async #fresh(): Promise<void> {
    if (Date.now() - this.#checkedAt >= this.refreshMs) await this.#refreshIndexState();
  }

  async add(rows: ChunkRow[]): Promise<void> {
    if (rows.length) await this.table.add(rows as unknown as Record<string, unknown>[]);
  }

  async delete(predicate: string): Promise<void> {
    await this.table.delete(predicate);
  }

  count(filter?: string): Promise<number> {
    return this.table.countRows(filter);
  }

  /**
   * Keeps indexes useful: an FTS index once there are rows, an HNSW index past `ANN_THRESHOLD` rows, and an
   * `optimize()` (which folds new rows into the indexes) once many rows are unindexed. Unindexed rows are
   * still searched (flat), so this only affects speed.
   */
  async maintain(log?: (message: string, fields?: object) => void): Promise<void> {
    const rows = await this.count();
    if (rows === 0) return;
    if (!this.#hasFts) {
      await this.table.createIndex('fts_text', { config: Index.fts({ withPosition: false }), replace: true });
      this.#hasFts = true;
      log?.('knowledge: built the full-text index', { table: this.name, rows });
    }
    if (!this.#hasVectorIndex && rows >= ANN_THRESHOLD) {
      await this.table.createIndex('vector', { config: Index.hnswSq({ distanceType: 'cosine' }), replace: true });
      this.#hasVectorIndex = true;
      log?.('knowledge: built the HNSW vector index', { table: this.name, rows });
      return;
    }
    const stats = await this.table.indexStats('fts_text_idx');
    const unindexed = stats?.numUnindexedRows ?? 0;
    if (unindexed > Math.max(2_000, rows * 0.1)) {
      await this.table.optimize();
      log?.('knowledge: optimized the table', { table: this.name, rows, unindexed });
    }
  }

  /**
   * The nearest rows to `vector`: id, cosine similarity, vector and row id only. Hits' other columns are
   * read afterwards for the few rows shown (`rowsOf`): each column read here is a random read per candidate.
   */
  async vectorSearch(vector: Float32Array, where: string | undefined, limit: number): Promise<Candidate[]> {
    await this.#fresh();
    let query = this.table
      .vectorSearch(vector)
      .distanceType('cosine')
      .select(['id', 'vector', '_distance'])
      .withRowId()
      .limit(limit);
    // No refine step (it re-reads every candidate's vector, ~1.3 ms at 100k): the vectors come back anyway,
    // so the quantized HNSW distances are replaced by exact cosines here.
    if (this.#hasVectorIndex) query = query.ef(Math.max(64, limit * 2));
    if (where) query = query.where(where);
    const rows = await query.toArray();
    const found = rows.map((r) => candidate(r, 1 - Number(r._distance)));
    if (this.#hasVectorIndex) {
      for (const c of found) c.score = cosine(vector, c.vector);
      found.sort((a, b) => b.score - a.score);
    }
    return found;
  }

  /** BM25 hits of `text` over title, headings and text, with the same columns as `vectorSearch`. */
  async textSearch(text: string, where: string | undefined, limit: number): Promise<Candidate[]> {
    await this.#fresh();
    if (!this.#hasFts || !/[\p{L}\p{N}]/u.test(text)) return [];
    let query = this.table
      .query()
      .fullTextSearch(text, { columns: 'fts_text' })
      .select(['id', 'vector', '_score'])
      .withRowId()
      .limit(limit);
    if (where) query = query.where(where);
    const rows = await query.toArray();
    return rows.map((r) => candidate(r, Number(r._score)));
  }

  /**
   * The columns a hit shows, for candidates of a search just made, by row id (a direct read). A row id can
   * move when a concurrent `optimize()` rewrites the table; rows not found where expected are read by id.
   */
  async rowsOf(candidates: Candidate[]): Promise<Map<string, ScoredRow>> {
    const out = new Map<string, ScoredRow>();
    if (candidates.length === 0) return out;
    const byId = new Map(candidates.map((c) => [c.id, c]));
    let found: Record<string, unknown>[] = [];
    try {
      found = await this.table
        .takeRowIds(candidates.map((c) => c.rowId))
        .select(SHOWN_COLUMNS)
        .toArray();
    } catch {
      // ids no longer valid: every row is read by id below
    }
    const add = (r: Record<string, unknown>) => {
      const c = byId.get(String(r.id));
      if (c) out.set(c.id, { ...plain({ ...r, vector: c.vector }), score: c.score });
    };
    for (const r of found) add(r);
    const missing = candidates.filter((c) => !out.has(c.id));
    if (missing.length) {
      const rows = await this.table
        .query()
        .where(`id IN (${missing.map((c) => sql(c.id)).join(', ')})`)
        .select(SHOWN_COLUMNS)
        .toArray();
      for (const r of rows) add(r);
    }
    return out;
  }

  close(): void {
    this.#table?.close();
    this.#table = undefined;
  }
}

/** Cosine similarity (0 for a zero vector). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa && bb ? ab / Math.sqrt(aa * bb) : 0;
}

function toVector(v: unknown): Float32Array {
  return v instanceof Float32Array
    ? v
    : typeof (v as { toArray?: unknown }).toArray === 'function'
      ? (v as { toArray: () => Float32Array }).toArray()
      : Float32Array.from(v as number[]);
}

function candidate(r: Record<string, unknown>, score: number): Candidate {
  return { id: String(r.id), score, vector: toVector(r.vector), rowId: BigInt(r._rowid as bigint | number) };
}

function plain(r: Record<string, unknown>): Omit<ScoredRow, 'score'> {
  const out: Record<string, unknown> = {};
  for (const c of RESULT_COLUMNS) out[c] = r[c];
  const v = r.vector as { toArray?: () => Float32Array } | Float32Array | number[];
  out.vector =
    v instanceof Float32Array
      ? v
      : typeof (v as { toArray?: unknown }).toArray === 'function'
        ? (v as { toArray: () => Float32Array }).toArray()
        : Float32Array.from(v as number[]);
  return out as Omit<ScoredRow, 'score'>;
}
