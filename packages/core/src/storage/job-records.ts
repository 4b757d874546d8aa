import type { HearthDatabase } from './database.js';
import { migrateSqlite } from './migrations.js';
import type { PgPool } from './postgres.js';

/** What happened to one job, kept for `hearth doctor`-style reports and audits. */
export interface JobRecord {
  id: string;
  queue: string;
  name: string;
  state: 'completed' | 'failed' | 'cancelled' | 'dead';
  attempts: number;
  error?: string;
  createdAt: number;
  finishedAt?: number;
}

/** Finished-job records on either engine; writing a record twice (a retried report) keeps the last. */
export interface JobRecords {
  record(job: JobRecord): Promise<void>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Newest first. */
  list(queue: string, limit?: number): Promise<JobRecord[]>;
}

type Row = {
  id: string;
  queue: string;
  name: string;
  state: JobRecord['state'];
  attempts: number;
  error: string | null;
  created_at: number;
  finished_at: number | null;
};

const UPSERT =
  'INSERT INTO job_records (id, queue, name, state, attempts, error, created_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE SET state = excluded.state, attempts = excluded.attempts, error = excluded.error, finished_at = excluded.finished_at';

function fromRow(r: Row): JobRecord {
  return {
    id: r.id,
    queue: r.queue,
    name: r.name,
    state: r.state,
    attempts: r.attempts,
    ...(r.error !== null ? { error: r.error } : {}),
    createdAt: r.created_at,
    ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
  };
}

function params(j: JobRecord) {
  return [j.id, j.queue, j.name, j.state, j.attempts, j.error ?? null, j.createdAt, j.finishedAt ?? null];
}

/** Job records in SQLite. */
export class SqliteJobRecords implements JobRecords {
  constructor(private readonly db: HearthDatabase) {
    migrateSqlite(db);
  }
  async record(job: JobRecord) {
    this.db.prepare(UPSERT.replace(/\$\d/g, '?')).run(...params(job));
  }
  async get(id: string) {
    const row = this.db.prepare<[string], Row>('SELECT * FROM job_records WHERE id = ?').get(id);
    return row ? fromRow(row) : undefined;
  }
  async list(queue: string, limit = 100) {
    return this.db
      .prepare<[string, number], Row>('SELECT * FROM job_records WHERE queue = ? ORDER BY created_at DESC LIMIT ?')
      .all(queue, limit)
      .map(fromRow);
  }
}

/** Job records in PostgreSQL. */
export class PgJobRecords implements JobRecords {
  constructor(private readonly pool: PgPool) {}
  async record(job: JobRecord) {
    await this.pool.query(UPSERT, params(job));
  }
  async get(id: string) {
    const { rows } = await this.pool.query<Row>('SELECT * FROM job_records WHERE id = $1', [id]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }
  async list(queue: string, limit = 100) {
    const { rows } = await this.pool.query<Row>(
      'SELECT * FROM job_records WHERE queue = $1 ORDER BY created_at DESC LIMIT $2',
      [queue, limit],
    );
    return rows.map(fromRow);
  }
}
