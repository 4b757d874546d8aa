/**
 * A throwaway PostgreSQL 15 cluster for fault tests: its own data folder, port and socket folder
 * under /tmp, trust auth, stopped and removed by `destroy()`. The shared server on 5432 is never touched.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);

/** Where the PostgreSQL 15 binaries live (Debian/Ubuntu layout); `HEARTH_TEST_PG_BIN` overrides. */
export const PG_BIN = process.env.HEARTH_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * The password the returned URL carries. Trust auth never checks it: it is there so tests can
 * assert that no error or log line ever shows a URL's password.
 */
export const PRIVATE_PG_PASSWORD = 'pg-secret-7f3a9c';

/** A running private cluster. */
export interface PrivatePostgres {
  /** `postgres://postgres:<PRIVATE_PG_PASSWORD>@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** Stops the server (fast shutdown: open connections are cut, as when a database host goes away). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /**
   * SIGSTOPs the server and its backends: connections stay open but nothing answers, as when a
   * database host hangs or its network drops packets. `thaw()` resumes it.
   */
  freeze(): void;
  thaw(): void;
  /** Stops it (if running) and deletes its folders. */
  destroy(): Promise<void>;
  /** The server's log so far (for failure messages). */
  log(): string;
}

function asPostgres(args: string[]): string[] {
  // initdb and pg_ctl refuse to run as root: run them as the cluster's owner
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...args] : args;
}

async function pg(args: string[], what: string, log?: string): Promise<void> {
  const [cmd, ...rest] = asPostgres(args);
  try {
    await run(cmd!, rest, { timeout: 60_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const tail = log && existsSync(log) ? `\nserver log:\n${readFileSync(log, 'utf8').slice(-2000)}` : '';
    throw new Error(`PostgreSQL ${what} failed: ${(e.stderr || e.message).trim()}${tail}`);
  }
}

/**
 * Creates and starts a private PostgreSQL 15 cluster (initdb as the `postgres` user when run as
 * root). Fails with an error naming PostgreSQL when the binaries are missing or initdb fails.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const initdb = join(PG_BIN, 'initdb');
  const pgCtl = join(PG_BIN, 'pg_ctl');
  if (!existsSync(initdb) || !existsSync(pgCtl)) {
    throw new Error(
      `PostgreSQL 15 server binaries not found in ${PG_BIN} (initdb, pg_ctl): install postgresql-15 or set HEARTH_TEST_PG_BIN`,
    );
  }
  const root = mkdtempSync(join(tmpdir(), 'hearth-pg-'));
  const dataDir = join(root, 'data');
  const sockets = root; // the socket folder: short path, owned by postgres
  const logFile = join(root, 'server.log');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(root, uid, gid);
  }
  const port = await freePort();
  await pg([initdb, '-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], 'initdb');
  // fsync off: a test cluster that is thrown away needs no durability against power loss
  const serverOptions = `-p ${port} -k ${sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c log_timezone=UTC`;
  let running = false;
  // the postmaster (first line of postmaster.pid) and its children: backends, checkpointer, ...
  const signalAll = (signal: NodeJS.Signals) => {
    const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    let list = '';
    try {
      list = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)]).toString();
    } catch {
      // ps exits 1 when there are no children
    }
    const children = list.split(/\s+/).filter(Boolean).map(Number);
    for (const pid of [postmaster, ...children]) process.kill(pid, signal);
  };
  const cluster: PrivatePostgres = {
    url: `postgres://postgres:${PRIVATE_PG_PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await pg([pgCtl, '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions, 'start'], 'start', logFile);
      running = true;
    },
    async stop() {
      if (!running) return;
      await pg([pgCtl, '-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'], 'stop', logFile);
      running = false;
    },
    async restart() {
      await cluster.stop();
      await cluster.start();
    },
    freeze: () => signalAll('SIGSTOP'),
    thaw: () => signalAll('SIGCONT'),
    async destroy() {
      if (running) signalAll('SIGCONT');
      await cluster.stop().catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
  };
  await cluster.start();
  return cluster;
}
