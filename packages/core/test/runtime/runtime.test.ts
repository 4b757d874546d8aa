import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type PrivateRedis, startPrivateRedis } from '../../../../test/scale/lib/redis.js';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { createHearth } from '../../src/runtime.js';
import { pg } from '../../src/storage/pg-module.js';
import { TEST_PG_URL } from '../storage/engines.js';

// the routing itself belongs to the queue helper; here: that the runtime calls it, when and with what
const routing = vi.hoisted(() => ({ calls: [] as { tools: readonly string[]; queue: string }[], undone: 0 }));
vi.mock('../../src/queue/remote-tools.js', () => ({
  queueTools: (o: { tools: readonly string[]; queue: { name: string } }) => {
    routing.calls.push({ tools: o.tools, queue: o.queue.name });
    return () => void routing.undone++;
  },
}));

const dirs: string[] = [];
async function hearthWith(overrides: ConfigInput, options: { executeQueuedTools?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-runtime-'));
  dirs.push(dir);
  const config = await loadConfig({
    cwd: dir,
    env: {},
    overrides: {
      dataDir: join(dir, 'data'),
      logLevel: 'silent',
      plugins: { firstParty: false },
      knowledge: { ingestDocsOnStart: false },
      ...overrides,
    },
  });
  return createHearth({ config, skipPlugins: true, console: 'none', ...options });
}

/** Clients connected to a Redis, by `CLIENT LIST` (the queue's connections, and redis-cli's own). */
const redisClients = (port: number) =>
  execFileSync('redis-cli', ['-p', String(port), 'CLIENT', 'LIST'], { encoding: 'utf8' })
    .trim()
    .split('\n').length;

let redis: PrivateRedis;
beforeAll(async () => {
  redis = await startPrivateRedis();
});
afterAll(async () => {
  await redis?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
beforeEach(() => {
  routing.calls = [];
  routing.undone = 0;
});

describe('createHearth on one machine (defaults)', () => {
  it('uses SQLite in the data folder for everything and opens no queue', async () => {
    const hearth = await hearthWith({});
    try {
      expect(hearth.database.engine).toBe('sqlite');
      expect(hearth.db).toBe(hearth.database.sqlite);
      expect(hearth.storage).toBe(hearth.database.plugins);
      expect(hearth.queue).toBeUndefined();
      expect(routing.calls).toEqual([]);
    } finally {
      await hearth.close();
    }
    expect(hearth.db.open).toBe(false);
  }, 60_000);
});

describe('createHearth with a Redis URL', () => {
  it('opens the shared tools queue, routes jobs.queued to it, and closes both on close', async () => {
    const before = redisClients(redis.port);
    const hearth = await hearthWith({ redisUrl: redis.url, jobs: { queued: ['diffusion_imagine', 'add_knowledge'] } });
    try {
      expect(hearth.queue?.name).toBe('tools');
      expect(await hearth.queue?.counts()).toMatchObject({ waiting: 0, active: 0 });
      expect(routing.calls).toEqual([{ tools: ['diffusion_imagine', 'add_knowledge'], queue: 'tools' }]);
      expect(redisClients(redis.port)).toBeGreaterThan(before);
    } finally {
      await hearth.close();
    }
    expect(routing.undone).toBe(1);
    // the server notices closed connections a moment later
    const end = Date.now() + 5000;
    while (redisClients(redis.port) > before && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(redisClients(redis.port)).toBe(before);
  }, 60_000);

  it('a worker (executeQueuedTools) gets the queue but runs the tools itself', async () => {
    const hearth = await hearthWith({ redisUrl: redis.url }, { executeQueuedTools: true });
    try {
      expect(hearth.queue?.name).toBe('tools');
      expect(routing.calls).toEqual([]);
    } finally {
      await hearth.close();
    }
  }, 60_000);
});

describe('createHearth with a PostgreSQL URL', () => {
  const schema = `hearth_rt_${process.pid}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    try {
      return await c.query(sql);
    } finally {
      await c.end();
    }
  };
  afterAll(() => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));

  it('keeps conversations in PostgreSQL and still opens the per-process SQLite file; closes both', async () => {
    await admin(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    // the URL selects the schema, as an operator's could
    const url = `${TEST_PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const hearth = await hearthWith({ databaseUrl: url });
    try {
      expect(hearth.database.engine).toBe('postgres');
      expect(hearth.database.sqlite).toBeUndefined();
      expect(hearth.db.open).toBe(true);
      expect(hearth.db.name).toBe(join(hearth.config.dataDir, 'hearth.sqlite'));
      await hearth.engine.turn({
        conversation: { surface: 'cli', sessionId: 'rt' },
        text: 'hello there',
        caller: { surface: 'cli', userId: 'op', roles: [], isAdmin: true },
      });
      const { rows } = await admin(`SELECT role, content FROM ${schema}.engine_messages ORDER BY id`);
      expect(rows.map((r) => r.role)).toEqual(['user', 'assistant']);
      expect(rows[0].content).toBe('hello there');
    } finally {
      await hearth.close();
    }
    expect(hearth.db.open).toBe(false);
    await expect(hearth.database.ping()).rejects.toThrow();
  }, 60_000);
});
