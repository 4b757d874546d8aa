import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MIGRATIONS,
  migratePostgres,
  migrateSqlite,
  openDatabase,
  openPostgres,
  openStorage,
} from '../../src/storage/index.js';
import { TEST_PG_URL } from './engines.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'hearth-mig-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('migrations', () => {
  it('SQLite: applies every version once, records it, and adopts a database made before migrations', () => {
    const dir = tmp();
    const db = openDatabase(dir);
    // what earlier releases created, with a row in it
    db.exec(`CREATE TABLE plugin_kv (plugin TEXT NOT NULL, guild TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
      updated_at INTEGER NOT NULL, PRIMARY KEY (plugin, guild, key));
      INSERT INTO plugin_kv VALUES ('p', '', 'k', '1', 0);`);
    expect(migrateSqlite(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrateSqlite(db)).toEqual([]);
    const rows = db.prepare('SELECT version, name FROM hearth_migrations ORDER BY version').all();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(db.prepare('SELECT value FROM plugin_kv').get()).toEqual({ value: '1' });
    db.close();
  });

  it('PostgreSQL: two processes starting at once migrate exactly once', async () => {
    const schema = `hearth_mig_${process.pid}`;
    // both create the schema at once too: that race once failed the second open
    const [p1, p2] = await Promise.all([openPostgres(TEST_PG_URL, { schema }), openPostgres(TEST_PG_URL, { schema })]);
    try {
      const applied = await Promise.all([migratePostgres(p1), migratePostgres(p2)]);
      expect(applied.flat().sort()).toEqual(MIGRATIONS.map((m) => m.version));
      const { rows } = await p1.query('SELECT version FROM hearth_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await p1.query(`DROP SCHEMA ${schema} CASCADE`);
      await Promise.all([p1.end(), p2.end()]);
    }
  });

  it('PostgreSQL: processes opening a new schema at once all succeed', async () => {
    for (let round = 0; round < 3; round++) {
      const schema = `hearth_race_${process.pid}_${round}`;
      const pools = await Promise.all(Array.from({ length: 4 }, () => openPostgres(TEST_PG_URL, { schema, max: 1 })));
      await pools[0]!.query(`DROP SCHEMA ${schema} CASCADE`);
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('an unreachable PostgreSQL fails at open, naming the service, without the password', async () => {
    const err = await openStorage({ dataDir: tmp(), databaseUrl: 'postgres://u:s3cret@127.0.0.1:1/db' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/^PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db is not reachable/);
    expect(err.message).not.toContain('s3cret');
  });

  it('a database URL that is not postgres:// is rejected with the fix', async () => {
    await expect(openStorage({ dataDir: tmp(), databaseUrl: 'mysql://x@h/db' })).rejects.toThrow(
      /HEARTH_DATABASE_URL must be a postgres:\/\/ URL \(or unset for SQLite/,
    );
  });
});
