import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** The data folder's SQLite database (conversations, plugin storage, rate-limit state). */
export type HearthDatabase = Database.Database;

/**
 * Opens `<dataDir>/hearth.sqlite` in WAL mode. Each area creates its own tables with
 * `CREATE TABLE IF NOT EXISTS` when it starts, so areas stay independent.
 */
export function openDatabase(dataDir: string): HearthDatabase {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'hearth.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}
