/**
 * Two `hearth mcp` processes starting on one data folder both switch its SQLite files to WAL; that
 * switch needs an exclusive lock and SQLite does not call the busy handler for it (CI once failed a
 * start with "hearth: database is locked"). This test holds the lock while another process opens.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { switchToWal } from '../../src/storage/database.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const FIXTURE = resolve(import.meta.dirname, 'fixtures/open-sqlite.ts');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Opened {
  mode?: string;
  error?: string;
  waitedMs: number;
}

/** Opens `path` in another process with openSqliteFile; resolves with what it reported. */
function openElsewhere(path: string, budgetMs: number): Promise<Opened> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--conditions=hearth-source', '--import', 'tsx', FIXTURE, path, String(budgetMs)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => {
      try {
        done(JSON.parse(out) as Opened);
      } catch {
        fail(new Error(`open process exited ${code}: ${err.slice(-1500)}`));
      }
    });
  });
}

/** A rollback-journal database (as a new file starts) with one table, and a connection of this process on it. */
function freshDatabase(): { path: string; holder: Database.Database } {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-sqlite-open-'));
  dirs.push(dir);
  const path = join(dir, 'db.sqlite');
  const holder = new Database(path);
  holder.exec('CREATE TABLE t (x INTEGER)');
  return { path, holder };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('openSqliteFile', () => {
  it('waits for another process that holds the database instead of failing the WAL switch', async () => {
    const { path, holder } = freshDatabase();
    // a reader (another process starting at the same moment) holds a shared lock: the switch needs it gone
    holder.exec('BEGIN');
    holder.prepare('SELECT count(*) FROM t').get();
    const opened = openElsewhere(path, 20_000);
    // the child needs ~1 s to start; hold the lock well past its first attempt
    await sleep(2500);
    holder.exec('COMMIT');
    const r = await opened;
    expect(r.error).toBeUndefined();
    expect(r.mode).toBe('wal');
    expect(r.waitedMs).toBeGreaterThan(100);
    expect(holder.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    holder.close();
  });

  it('fails with a clear message when the lock outlasts its budget, and leaves the file usable', async () => {
    const { path, holder } = freshDatabase();
    holder.exec('BEGIN EXCLUSIVE');
    const r = await openElsewhere(path, 300);
    holder.exec('COMMIT');
    expect(r.error).toMatch(/database is locked|WAL mode within 300 ms/);
    expect(r.waitedMs).toBeGreaterThanOrEqual(300);
    expect(holder.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
    holder.close();
  });
});

describe('switchToWal', () => {
  /** A connection whose WAL switch answers SQLITE_BUSY `busyTimes` times, as the losing side of a race does. */
  function racingConnection(busyTimes: number) {
    let mode = 'delete';
    let busy = busyTimes;
    const calls: string[] = [];
    const db = {
      name: '/data/catalog.sqlite',
      pragma(source: string) {
        calls.push(source);
        if (source === 'journal_mode') return mode;
        if (busy-- > 0) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        mode = 'wal';
        return mode;
      },
    } as unknown as Parameters<typeof switchToWal>[0];
    return { db, calls };
  }

  it('retries a switch refused with SQLITE_BUSY until it succeeds', () => {
    const { db, calls } = racingConnection(3);
    switchToWal(db, 5000);
    expect(calls.filter((c) => c === 'journal_mode = WAL')).toHaveLength(4);
  });

  it('takes no lock when the file is already in WAL mode (every open after the first)', () => {
    const { db, calls } = racingConnection(0);
    switchToWal(db, 5000);
    calls.length = 0;
    switchToWal(db, 5000);
    expect(calls).toEqual(['journal_mode']);
  });

  it('gives up after its budget with the error SQLite gave', () => {
    const { db } = racingConnection(Number.POSITIVE_INFINITY);
    const started = Date.now();
    expect(() => switchToWal(db, 200)).toThrow('database is locked');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('does not retry other errors', () => {
    const db = {
      name: 'x',
      pragma() {
        throw Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' });
      },
    } as unknown as Parameters<typeof switchToWal>[0];
    const started = Date.now();
    expect(() => switchToWal(db, 5000)).toThrow('file is not a database');
    expect(Date.now() - started).toBeLessThan(100);
  });
});
