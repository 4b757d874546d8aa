import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** The data folder's SQLite database (conversations, plugin storage, rate-limit state). */
export type HearthDatabase = Database.Database;

/** How long a SQLite statement waits for another process's lock before it fails. */
export const SQLITE_BUSY_MS = 5000;

/**
 * Opens `<dataDir>/hearth.sqlite` in WAL mode. Each area creates its own tables with
 * `CREATE TABLE IF NOT EXISTS` when it starts, so areas stay independent.
 */
export function openDatabase(dataDir: string): HearthDatabase {
  mkdirSync(dataDir, { recursive: true });
  return openSqliteFile(join(dataDir, 'hearth.sqlite'));
}

/**
 * Opens a SQLite file that several processes may open at the same moment (two `hearth mcp`
 * instances on one data folder): the busy timeout is set before the first statement, and the
 * switch to WAL, which SQLite makes without calling the busy handler, is retried within the same
 * budget instead of failing the start with "database is locked".
 */
export function openSqliteFile(path: string, busyMs = SQLITE_BUSY_MS): HearthDatabase {
  const db = new Database(path, { timeout: busyMs });
  try {
    switchToWal(db, busyMs);
    db.pragma('synchronous = NORMAL');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Puts `db` in WAL mode, retrying while another connection holds the lock (exported for tests).
 * Two processes converting one new file at once can each hold a read lock the other needs gone;
 * SQLite then answers SQLITE_BUSY at once rather than wait, so the wait happens here.
 */
export function switchToWal(db: Pick<HearthDatabase, 'pragma' | 'name'>, busyMs: number): void {
  const deadline = Date.now() + busyMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      // WAL is kept in the file: after the first open this is a read, and takes no exclusive lock
      if (db.pragma('journal_mode', { simple: true }) === 'wal') return;
      if (db.pragma('journal_mode = WAL', { simple: true }) === 'wal') return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`Could not switch ${db.name} to WAL mode within ${busyMs} ms: another process holds it`);
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
  }
}
