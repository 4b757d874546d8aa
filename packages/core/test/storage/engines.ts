import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HearthStorage, openStorage } from '../../src/storage/index.js';
import { pg } from '../../src/storage/pg-module.js';

/** The PostgreSQL the tests use (CI and the dev machine run one; trust auth). */
export const TEST_PG_URL = process.env.HEARTH_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

/** One engine under test: `open()` gives a new connection to the same database each call. */
export interface EngineFixture {
  name: 'sqlite' | 'postgres';
  /** The data folder (SQLite file, plugin folders). */
  dataDir: string;
  /** The PostgreSQL schema (unused on SQLite). */
  schema: string;
  open(): Promise<HearthStorage>;
  /** Closes every connection and removes the data. */
  cleanup(): Promise<void>;
}

/** A fresh, isolated database for `name`: a temp folder for SQLite, a new schema for PostgreSQL. */
export function engineFixture(name: 'sqlite' | 'postgres'): EngineFixture {
  const dataDir = mkdtempSync(join(tmpdir(), `hearth-storage-${name}-`));
  const schema = `hearth_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const opened: HearthStorage[] = [];
  return {
    name,
    dataDir,
    schema,
    async open() {
      const s = await openStorage(
        name === 'sqlite' ? { dataDir, databaseUrl: '' } : { dataDir, databaseUrl: TEST_PG_URL, schema },
      );
      opened.push(s);
      return s;
    },
    async cleanup() {
      await Promise.all(opened.map((s) => s.close()));
      if (name === 'postgres') {
        const c = new pg.Client({ connectionString: TEST_PG_URL });
        await c.connect().catch(() => undefined);
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
        await c.end().catch(() => undefined);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const ENGINES = ['sqlite', 'postgres'] as const;
