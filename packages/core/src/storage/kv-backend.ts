import type { HearthDatabase } from './database.js';
import { migrateSqlite } from './migrations.js';
import type { PgPool } from './postgres.js';

/** Where one row of plugin storage lives. */
export interface KvRow {
  plugin: string;
  guild: string;
  key: string;
}

/**
 * The rows under plugin storage, one engine each. Values are JSON text. `compareAndSet` is the one
 * atomic step `update` is built on: it writes only when the stored text still equals `expected`
 * (undefined: the key is absent), so two processes cannot lose each other's writes.
 */
export interface KvBackend {
  get(row: KvRow): Promise<string | undefined>;
  set(row: KvRow, value: string): Promise<void>;
  delete(row: KvRow): Promise<boolean>;
  keys(plugin: string, guild: string, likePattern: string): Promise<string[]>;
  compareAndSet(row: KvRow, expected: string | undefined, value: string): Promise<boolean>;
}

/** Plugin storage rows in the data folder's SQLite database. */
export class SqliteKv implements KvBackend {
  private readonly stmts;

  constructor(db: HearthDatabase) {
    migrateSqlite(db);
    this.stmts = {
      get: db.prepare<[string, string, string], { value: string }>(
        'SELECT value FROM plugin_kv WHERE plugin = ? AND guild = ? AND key = ?',
      ),
      set: db.prepare(
        'INSERT INTO plugin_kv VALUES (?, ?, ?, ?, ?) ON CONFLICT (plugin, guild, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      ),
      del: db.prepare('DELETE FROM plugin_kv WHERE plugin = ? AND guild = ? AND key = ?'),
      keys: db.prepare<[string, string, string], { key: string }>(
        "SELECT key FROM plugin_kv WHERE plugin = ? AND guild = ? AND key LIKE ? ESCAPE '\\' ORDER BY key",
      ),
      insertNew: db.prepare('INSERT INTO plugin_kv VALUES (?, ?, ?, ?, ?) ON CONFLICT (plugin, guild, key) DO NOTHING'),
      swap: db.prepare(
        'UPDATE plugin_kv SET value = ?, updated_at = ? WHERE plugin = ? AND guild = ? AND key = ? AND value = ?',
      ),
    };
  }

  async get(r: KvRow) {
    return this.stmts.get.get(r.plugin, r.guild, r.key)?.value;
  }
  async set(r: KvRow, value: string) {
    this.stmts.set.run(r.plugin, r.guild, r.key, value, Date.now());
  }
  async delete(r: KvRow) {
    return this.stmts.del.run(r.plugin, r.guild, r.key).changes > 0;
  }
  async keys(plugin: string, guild: string, like: string) {
    return this.stmts.keys.all(plugin, guild, like).map((row) => row.key);
  }
  async compareAndSet(r: KvRow, expected: string | undefined, value: string) {
    const now = Date.now();
    const result =
      expected === undefined
        ? this.stmts.insertNew.run(r.plugin, r.guild, r.key, value, now)
        : this.stmts.swap.run(value, now, r.plugin, r.guild, r.key, expected);
    return result.changes > 0;
  }
}

/** Plugin storage rows in PostgreSQL (tables made by `migratePostgres`). */
export class PgKv implements KvBackend {
  constructor(private readonly pool: PgPool) {}

  async get(r: KvRow) {
    const { rows } = await this.pool.query<{ value: string }>(
      'SELECT value FROM plugin_kv WHERE plugin = $1 AND guild = $2 AND key = $3',
      [r.plugin, r.guild, r.key],
    );
    return rows[0]?.value;
  }
  async set(r: KvRow, value: string) {
    await this.pool.query(
      'INSERT INTO plugin_kv VALUES ($1, $2, $3, $4, $5) ON CONFLICT (plugin, guild, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      [r.plugin, r.guild, r.key, value, Date.now()],
    );
  }
  async delete(r: KvRow) {
    const res = await this.pool.query('DELETE FROM plugin_kv WHERE plugin = $1 AND guild = $2 AND key = $3', [
      r.plugin,
      r.guild,
      r.key,
    ]);
    return (res.rowCount ?? 0) > 0;
  }
  async keys(plugin: string, guild: string, like: string) {
    const { rows } = await this.pool.query<{ key: string }>(
      // COLLATE "C": byte order, the same order SQLite's ORDER BY gives
      `SELECT key FROM plugin_kv WHERE plugin = $1 AND guild = $2 AND key LIKE $3 ESCAPE '\\' ORDER BY key COLLATE "C"`,
      [plugin, guild, like],
    );
    return rows.map((row) => row.key);
  }
  async compareAndSet(r: KvRow, expected: string | undefined, value: string) {
    const now = Date.now();
    const res =
      expected === undefined
        ? await this.pool.query(
            'INSERT INTO plugin_kv VALUES ($1, $2, $3, $4, $5) ON CONFLICT (plugin, guild, key) DO NOTHING',
            [r.plugin, r.guild, r.key, value, now],
          )
        : await this.pool.query(
            'UPDATE plugin_kv SET value = $4, updated_at = $5 WHERE plugin = $1 AND guild = $2 AND key = $3 AND value = $6',
            [r.plugin, r.guild, r.key, value, now, expected],
          );
    return (res.rowCount ?? 0) > 0;
  }
}
