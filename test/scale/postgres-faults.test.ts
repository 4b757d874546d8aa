/**
 * PostgreSQL going away under a stream of conversation turns, and coming back: every turn during
 * the outage fails fast with an error that shows no password, turns succeed again without a
 * process restart, and no acknowledged turn is lost. First on the storage layer alone, then
 * through a real Hearth answering turns. Runs against a private cluster (the shared server on
 * 5432 is never stopped).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Caller } from '@hearth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHearth, createLogger, type Hearth, Redactor } from '../../packages/core/src/index.js';
import { type HearthStorage, openStorage } from '../../packages/core/src/storage/index.js';
import { pg } from '../../packages/core/src/storage/pg-module.js';
import { type OpenAiServer, startOpenAiServer } from '../servers/openai-hf.js';
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
/**
 * Longest a turn may wait on a server that takes connections but answers nothing (frozen): the
 * pool's query timeout (10 s by default) plus a margin. A refused connection fails in milliseconds.
 */
const FROZEN_LIMIT_MS = 15_000;

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

/** How many times each user message text is stored, read on a fresh connection. */
async function storedUserMessages(url: string): Promise<Map<string, number>> {
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

/** What {@link outage} measured. */
interface OutageRun {
  turns: Turn[];
  /** Turns that started after the stop and ended before the start was asked for. */
  down: Turn[];
  downMs: number;
  recoveryMs: number;
  stored: Map<string, number>;
}

/** The user text of turn `n` of stream `s` (unique, so rows can be counted per turn). */
const text = (s: number, n: number, label: string) => `${label} s${s}-turn-${n}`;

/**
 * Runs {@link STREAMS} back-to-back turn streams; after 30 acknowledged turns stops PostgreSQL
 * for about 3 s, starts it again, waits for 30 more, then checks what the caller saw against
 * the rows. `turn` throws when the caller would see an error.
 */
async function outage(label: string, turn: (text: string) => Promise<void>): Promise<OutageRun> {
  const turns: Turn[] = [];
  let stopStreams = false;
  const stream = async (s: number) => {
    for (let n = 0; !stopStreams; n++) {
      const startedAt = Date.now();
      try {
        await turn(text(s, n, label));
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
    await db.stop();
    const stoppedAt = Date.now();
    await waitTurns(() => turns.filter((t) => t.startedAt > stoppedAt && !t.ok).length >= 3 * STREAMS, 'failed turns');
    await new Promise((r) => setTimeout(r, 3000));
    const startingAt = Date.now();
    await db.start();
    const acceptingAt = readyAt(db.log(), startingAt);
    await waitTurns(() => turns.some((t) => t.ok && t.startedAt >= startingAt), 'a turn after the restart', 15_000);
    const firstOk = turns.find((t) => t.ok && t.startedAt >= startingAt)!;
    const okBefore = turns.filter((t) => t.ok).length;
    await waitTurns(() => turns.filter((t) => t.ok).length >= okBefore + 30, '30 turns after the outage');
    stopStreams = true;
    await Promise.all(streams);
    const down = turns.filter((t) => t.startedAt >= stoppedAt && t.startedAt + t.ms < startingAt);
    // every turn that started after the first success must succeed too
    expect(turns.filter((t) => t.startedAt > firstOk.startedAt && !t.ok)).toEqual([]);
    return {
      turns,
      down,
      downMs: acceptingAt - stoppedAt,
      recoveryMs: firstOk.startedAt + firstOk.ms - acceptingAt,
      stored: await storedUserMessages(db.url),
    };
  } finally {
    stopStreams = true;
    await Promise.all(streams);
  }
}

/** The checks both layers share: fast clear errors, nothing acknowledged lost, nothing twice; prints the figures. */
function checkOutage(label: string, run: OutageRun, error: RegExp): void {
  const { turns, down, stored } = run;
  expect(down.length).toBeGreaterThanOrEqual(3 * STREAMS);
  expect(down.filter((t) => t.ok)).toEqual([]);
  for (const t of down) {
    expect(t.ms, `turn ${t.stream}/${t.n} took ${t.ms} ms to fail`).toBeLessThan(FAIL_FAST_MS);
    expect(t.error).not.toContain(PRIVATE_PG_PASSWORD);
    expect(t.error).toMatch(error);
  }
  const acked = turns.filter((t) => t.ok);
  for (const t of acked) expect(stored.get(text(t.stream, t.n, label)), text(t.stream, t.n, label)).toBe(1);
  const mine = [...stored].filter(([k]) => k.startsWith(`${label} `));
  for (const [k, n] of mine) expect(n, k).toBe(1);
  // a failed turn may still have been committed (its reply lost with the connection), nothing else
  const attempted = new Set(turns.map((t) => text(t.stream, t.n, label)));
  for (const [k] of mine) expect(attempted.has(k), k).toBe(true);
  const worst = Math.max(...down.map((t) => t.ms));
  console.log(
    `[postgres-faults] ${label}: outage ${run.downMs} ms, ${down.length} turns failed (slowest ${worst} ms; "${down[0]!.error}"); ` +
      `recovery ${run.recoveryMs} ms from PostgreSQL accepting connections to the first acknowledged turn; ` +
      `${acked.length} turns acknowledged, ${mine.length} stored, 0 lost`,
  );
  expect(run.recoveryMs).toBeLessThan(5000);
}

describe('PostgreSQL restart under a stream of conversation turns', () => {
  it('storage layer: fails fast without the password, recovers without a restart, loses no acknowledged turn', async () => {
    const storage: HearthStorage = await openStorage({ dataDir, databaseUrl: db.url, maxConnections: 4 });
    try {
      const run = await outage('storage', async (t) => {
        await storage.conversations.appendExchange(`conv-${t.split(' ')[1]!.split('-')[0]}`, [
          { role: 'user', content: t, tokens: 3 },
          { role: 'assistant', content: `answer to ${t}`, tokens: 4 },
        ]);
      });
      checkOutage('storage', run, /ECONNREFUSED|Connection terminated|terminating connection/i);
      // the history reads back through the repository once the server is back
      const history = [];
      for await (const m of storage.conversations.newestFirst('conv-s0', 0)) history.push(m);
      expect(history.filter((m) => m.role === 'user').length).toBe(
        [...run.stored.keys()].filter((k) => k.startsWith('storage s0-')).length,
      );
    } finally {
      await storage.close();
    }
  }, 120_000);

  it('a real Hearth: turns fail with "database is unavailable" during the outage and answer again after it', async () => {
    let model: OpenAiServer | undefined;
    let hearth: Hearth | undefined;
    const logs: string[] = [];
    try {
      model = await startOpenAiServer({ script: () => ({ text: 'Stored and answered.' }) });
      const redactor = new Redactor();
      const logger = createLogger({
        level: 'info',
        redactor,
        destination: { write: (l: string) => void logs.push(l) },
      });
      // the real loading path: the URL comes from HEARTH_DATABASE_URL, as in a deployment
      hearth = await createHearth({
        cwd: dataDir,
        env: { HEARTH_DATABASE_URL: db.url, HEARTH_DATA_DIR: dataDir },
        overrides: {
          models: { chat: `openai:test-model@${model.url}/v1`, retries: 0 },
          plugins: { firstParty: false },
          knowledge: { ingestDocsOnStart: false },
        },
        logger,
        redactor,
        importPlugin: (s) => import(s),
      });
      const h = hearth;
      const caller: Caller = { surface: 'test', userId: 'u1', roles: [], isAdmin: false, guildId: 'g1' };
      const run = await outage('hearth', async (t) => {
        const channelId = t.split(' ')[1]!.split('-')[0]!;
        const turn = await h.engine.turn({
          conversation: { surface: 'test', guildId: 'g1', channelId },
          text: t,
          caller,
        });
        if (!turn.text.includes('Stored and answered')) throw new Error(`unexpected answer: ${turn.text}`);
      });
      checkOutage('hearth', run, /database is unavailable/i);
      expect(logs.join('\n')).not.toContain(PRIVATE_PG_PASSWORD);
    } finally {
      await hearth?.close();
      await model?.close();
    }
  }, 120_000);

  it('a frozen PostgreSQL (SIGSTOP): a real Hearth fails turns within the query timeout instead of hanging, and recovers', async () => {
    let model: OpenAiServer | undefined;
    let hearth: Hearth | undefined;
    try {
      model = await startOpenAiServer({ script: () => ({ text: 'Stored and answered.' }) });
      hearth = await createHearth({
        cwd: dataDir,
        env: { HEARTH_DATABASE_URL: db.url, HEARTH_DATA_DIR: dataDir },
        overrides: {
          models: { chat: `openai:test-model@${model.url}/v1`, retries: 0 },
          plugins: { firstParty: false },
          knowledge: { ingestDocsOnStart: false },
        },
        logger: createLogger({ level: 'error', redactor: new Redactor(), destination: { write: () => {} } }),
        importPlugin: (s) => import(s),
      });
      const h = hearth;
      const caller: Caller = { surface: 'test', userId: 'u1', roles: [], isAdmin: false, guildId: 'g1' };
      const turn = async (t: string) => {
        const started = Date.now();
        try {
          await h.engine.turn({
            conversation: { surface: 'test', guildId: 'g1', channelId: 'frozen' },
            text: t,
            caller,
          });
          return { ok: true, ms: Date.now() - started };
        } catch (err) {
          return { ok: false, ms: Date.now() - started, error: String(err) };
        }
      };
      expect((await turn('frozen before')).ok).toBe(true);
      db.freeze();
      let during: Awaited<ReturnType<typeof turn>>[];
      try {
        during = await Promise.all(['frozen a', 'frozen b', 'frozen c'].map(turn));
      } finally {
        db.thaw();
      }
      console.log(
        `[postgres-faults] frozen server: turns ended after ${during.map((d) => d.ms).join(', ')} ms: ${[...new Set(during.map((d) => d.error))].join(' | ')}`,
      );
      for (const d of during) {
        expect(d.ok).toBe(false);
        expect(d.ms).toBeLessThan(FROZEN_LIMIT_MS);
        expect(d.error).toMatch(/database is unavailable/i);
        expect(d.error).not.toContain(PRIVATE_PG_PASSWORD);
      }
      const after = await turn('frozen after');
      expect(after, after.error).toMatchObject({ ok: true });
      const stored = await storedUserMessages(db.url);
      expect(stored.get('frozen before')).toBe(1);
      expect(stored.get('frozen after')).toBe(1);
    } finally {
      await hearth?.close();
      await model?.close();
    }
  }, 120_000);
});
