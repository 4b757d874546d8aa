/**
 * PostgreSQL going away under a stream of conversation turns, and coming back: every turn during
 * the outage fails fast with an error that shows no password, turns succeed again without a
 * process restart, and no acknowledged turn is lost. Runs against a private cluster (the shared
 * server on 5432 is never stopped).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HearthStorage, openStorage } from '../../packages/core/src/storage/index.js';
import { pg } from '../../packages/core/src/storage/pg-module.js';
import { PRIVATE_PG_PASSWORD, type PrivatePostgres, startPrivatePostgres } from './lib/index.js';

/** One turn's outcome as its caller saw it. */
interface Turn {
  stream: number;
  n: number;
  startedAt: number;
  ms: number;
  ok: boolean;
  error?: string;
}

/** Longest a turn may take to fail while the database is down (the pool's connect timeout is 5 s). */
const FAIL_FAST_MS = 6000;
const STREAMS = 3;

let db: PrivatePostgres;
let dataDir: string;
beforeAll(async () => {
  db = await startPrivatePostgres();
  dataDir = mkdtempSync(join(tmpdir(), 'hearth-pgfault-'));
});
afterAll(async () => {
  await db?.destroy();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/**
 * When the server said it was ready again: the `ready to accept connections` line after `since`
 * (the log's millisecond timestamps, UTC), not when pg_ctl noticed.
 */
function readyAt(log: string, since: number): number {
  for (const m of log.matchAll(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) (\w+) .*ready to accept connections/gm)) {
    const at = Date.parse(`${m[1]!.replace(' ', 'T')}Z`);
    if (m[2] === 'UTC' && at >= since - 1000) return at;
  }
  throw new Error(
    `PostgreSQL log has no UTC "ready to accept connections" line after the restart:\n${log.slice(-1500)}`,
  );
}

/** Counts each stream's stored user messages by turn number, read on a fresh connection. */
async function storedTurns(url: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ content: string; n: number }>(
      "SELECT content, count(*)::int AS n FROM engine_messages WHERE role = 'user' GROUP BY content",
    );
    return new Map(rows.map((r) => [r.content, r.n]));
  } finally {
    await client.end();
  }
}

describe('PostgreSQL restart under a stream of conversation turns', () => {
  it('fails turns fast and redacted during the outage, recovers without a restart, loses no acknowledged turn', async () => {
    const storage: HearthStorage = await openStorage({ dataDir, databaseUrl: db.url, maxConnections: 4 });
    const turns: Turn[] = [];
    let stopStreams = false;
    // each stream is one conversation: a user message and the assistant's answer per turn, back to back
    const stream = async (s: number) => {
      for (let n = 0; !stopStreams; n++) {
        const startedAt = Date.now();
        try {
          await storage.conversations.appendExchange(`conv-${s}`, [
            { role: 'user', content: `s${s}-turn-${n}`, tokens: 3 },
            { role: 'assistant', content: `answer to s${s}-turn-${n}`, tokens: 4 },
          ]);
          turns.push({ stream: s, n, startedAt, ms: Date.now() - startedAt, ok: true });
        } catch (err) {
          turns.push({ stream: s, n, startedAt, ms: Date.now() - startedAt, ok: false, error: String(err) });
          await new Promise((r) => setTimeout(r, 25)); // a client retrying, not a hot loop
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const waitTurns = async (pred: () => boolean, what: string, timeoutMs = 30_000) => {
      const end = Date.now() + timeoutMs;
      while (!pred()) {
        if (Date.now() > end)
          throw new Error(`timed out waiting for ${what}; last turns: ${JSON.stringify(turns.slice(-5))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const streams = Array.from({ length: STREAMS }, (_, s) => stream(s));
    try {
      await waitTurns(() => turns.filter((t) => t.ok).length >= 30, '30 turns before the outage');

      const stopAt = Date.now();
      await db.stop();
      const stoppedAt = Date.now();
      // the outage: every stream keeps trying for 3 s
      await waitTurns(
        () => turns.filter((t) => t.startedAt > stoppedAt && !t.ok).length >= 3 * STREAMS,
        'failed turns',
      );
      await new Promise((r) => setTimeout(r, 3000));

      const startingAt = Date.now();
      await db.start();
      const acceptingAt = readyAt(db.log(), startingAt);
      await waitTurns(() => turns.some((t) => t.ok && t.startedAt >= startingAt), 'a turn after the restart', 15_000);
      const firstOk = turns.find((t) => t.ok && t.startedAt >= startingAt)!;
      const recoveryMs = firstOk.startedAt + firstOk.ms - acceptingAt;
      const okBefore = turns.filter((t) => t.ok).length;
      await waitTurns(() => turns.filter((t) => t.ok).length >= okBefore + 30, '30 turns after the outage');
      stopStreams = true;
      await Promise.all(streams);

      // during the outage: clear errors, fast, no password
      const down = turns.filter((t) => t.startedAt >= stoppedAt && t.startedAt + t.ms < startingAt);
      expect(down.length).toBeGreaterThanOrEqual(3 * STREAMS);
      expect(down.filter((t) => t.ok)).toEqual([]);
      for (const t of down) {
        expect(t.ms, `turn ${t.stream}/${t.n} took ${t.ms} ms to fail`).toBeLessThan(FAIL_FAST_MS);
        expect(t.error).not.toContain(PRIVATE_PG_PASSWORD);
        expect(t.error).toMatch(/ECONNREFUSED|Connection terminated|terminating connection|not reachable|unavailable/i);
      }
      // after it: every turn that started once the server accepted connections again succeeded, after the first
      const after = turns.filter((t) => t.startedAt > firstOk.startedAt);
      expect(after.filter((t) => !t.ok)).toEqual([]);

      // nothing acknowledged is lost, nothing is stored twice
      const stored = await storedTurns(db.url);
      const acked = turns.filter((t) => t.ok);
      for (const t of acked) expect(stored.get(`s${t.stream}-turn-${t.n}`), `s${t.stream}-turn-${t.n}`).toBe(1);
      for (const n of stored.values()) expect(n).toBe(1);
      // a failed turn may still have been committed (its reply lost with the connection), nothing else
      const attempted = new Set(turns.map((t) => `s${t.stream}-turn-${t.n}`));
      for (const k of stored.keys()) expect(attempted.has(k), k).toBe(true);
      expect(stored.size).toBeLessThanOrEqual(
        acked.length + turns.filter((t) => !t.ok && t.startedAt < stopAt + 1000).length,
      );
      // and the history reads back through the repository, newest first, per conversation
      const history = [];
      for await (const m of storage.conversations.newestFirst('conv-0', 0)) history.push(m);
      expect(history.filter((m) => m.role === 'user').length).toBe(
        [...stored.keys()].filter((k) => k.startsWith('s0-')).length,
      );

      const worst = Math.max(...down.map((t) => t.ms));
      console.log(
        `[postgres-faults] outage ${acceptingAt - stoppedAt} ms: ${down.length} turns failed (slowest ${worst} ms, first error: ${down[0]!.error}); ` +
          `recovery ${recoveryMs} ms from PostgreSQL accepting connections to the first stored turn; ` +
          `${acked.length} turns acknowledged, ${stored.size} stored, 0 lost`,
      );
      expect(recoveryMs).toBeLessThan(5000);
    } finally {
      stopStreams = true;
      await Promise.all(streams);
      await storage.close();
    }
  }, 120_000);
});
