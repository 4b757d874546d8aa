/**
 * docs/deploy.md's N-machine layout on one machine, as real processes: with only
 * HEARTH_DATABASE_URL (a private PostgreSQL), HEARTH_REDIS_URL (a private Redis) and one shared
 * HEARTH_DATA_DIR set, `hearth worker` x2, `hearth mcp --http` and `hearth discord` (against the
 * repo's Discord emulator) run side by side; the test drives them from outside and then stops
 * them all with SIGTERM.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueue } from '../../packages/core/src/queue/index.js';
import { pg } from '../../packages/core/src/storage/pg-module.js';
import { type Emulator, startEmulator } from '../discord/emulator/server.js';
import { type OpenAiServer, startOpenAiServer } from '../servers/openai-hf.js';
import {
  freePort,
  type HearthProcess,
  PRIVATE_PG_PASSWORD,
  type PrivatePostgres,
  type PrivateRedis,
  spawnHearth,
  startPrivatePostgres,
  startPrivateRedis,
  stopAll,
  workDir,
} from './lib/index.js';

/** Each worker's --grace: SIGTERM must end every process well within it. */
const GRACE_S = 10;

let db: PrivatePostgres;
let redis: PrivateRedis;
let emu: Emulator;
let model: OpenAiServer;
let dataDir: string;
let cwd: string;
let workers: HearthProcess[] = [];
let workerOps: string[] = [];
let mcp: HearthProcess;
let mcpUrl: string;
let discord: HearthProcess;
const all = () => [...workers, mcp, discord].filter(Boolean);

/** Rows of `sql` on the shared database, on a fresh connection. */
async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  [db, redis, emu, model] = await Promise.all([
    startPrivatePostgres(),
    startPrivateRedis(),
    startEmulator(),
    startOpenAiServer({ script: () => ({ text: 'Hearth answers from the shared deployment.' }) }),
  ]);
  dataDir = mkdtempSync(join(tmpdir(), 'hearth-deploy-data-'));
  cwd = workDir();
  // the same config for every process, as docs/deploy.md asks; the chat model is the scripted server
  writeFileSync(
    join(cwd, 'hearth.config.json'),
    JSON.stringify({
      models: { chat: `openai:test-model@${model.url}/v1`, retries: 0 },
      knowledge: { ingestDocsOnStart: false },
      discord: { editIntervalMs: 1000 },
    }),
  );
  const shared = {
    HEARTH_DATABASE_URL: db.url,
    HEARTH_REDIS_URL: redis.url,
    HEARTH_DATA_DIR: dataDir,
    HEARTH_LOG_LEVEL: 'debug',
  };
  // the first process migrates the fresh database; the others then start together
  workerOps = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
  workers = [0, 1].map((i) =>
    spawnHearth(
      ['worker', '--queues', 'tools', '--concurrency', '1', '--grace', String(GRACE_S), '--ops', workerOps[i]!],
      {
        cwd,
        env: shared,
        name: `worker ${i + 1}`,
      },
    ),
  );
  mcp = spawnHearth(['mcp', '--http', '127.0.0.1:0'], { cwd, env: shared, name: 'mcp' });
  discord = spawnHearth(['discord'], {
    cwd,
    env: { ...shared, DISCORD_TOKEN: emu.token, DISCORD_API_URL: emu.apiUrl },
    name: 'discord',
  });
  await Promise.all(workers.map((w) => w.waitFor(/Hearth worker on tools/, 150_000)));
  [, mcpUrl] = (await mcp.waitFor(/Hearth MCP server at (\S+)/, 150_000)) as [string, string];
  await discord.waitFor(/Hearth is on Discord as/, 150_000);
}, 240_000);

afterAll(async () => {
  await stopAll(all(), 5000);
  await Promise.all([db?.destroy(), redis?.stop(), emu?.close(), model?.close()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the deployment of docs/deploy.md on one machine', () => {
  it('every worker is ready on the shared PostgreSQL and Redis', async () => {
    for (const ops of workerOps) {
      const res = await fetch(`http://${ops}/readyz`);
      const body = (await res.json()) as { ok: boolean; checks: Record<string, { ok: boolean }> };
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body.checks.database?.ok).toBe(true);
      expect(body.checks.redis?.ok).toBe(true);
    }
    // the processes migrated the one database once
    const versions = await query<{ version: number }>('SELECT version FROM hearth_migrations ORDER BY version');
    expect(versions.length).toBeGreaterThan(0);
    expect(new Set(versions.map((v) => v.version)).size).toBe(versions.length);
    // nothing a process printed shows the database password
    for (const p of all()) expect(p.output(), p.name).not.toContain(PRIVATE_PG_PASSWORD);
  });

  it("an MCP client's diffusion_imagine is run by a worker, not by the MCP process", async () => {
    const client = new Client({ name: 'deployment-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('diffusion_imagine');
      const result = (await client.callTool(
        { name: 'diffusion_imagine', arguments: { prompt: 'the digit 7', steps: 4, seed: 7 } },
        undefined,
        { timeout: 120_000 },
      )) as { isError?: boolean; content: { type: string; data?: string; mimeType?: string; text?: string }[] };
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      const image = result.content.find((c) => c.type === 'image');
      expect(image?.mimeType).toBe('image/png');
      expect(Buffer.from(image!.data!, 'base64').subarray(0, 8)).toEqual(
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      );
    } finally {
      await client.close();
    }
    // exactly one worker logged the job; the MCP process ran no job itself
    const ran = (p: HearthProcess) =>
      p
        .output()
        .split('\n')
        .filter((l) => l.includes('"job: finished"') && l.includes('"tool":"diffusion_imagine"'));
    const byWorker = workers.map((w) => ran(w));
    expect(byWorker.flat(), workers.map((w) => w.output().slice(-1500)).join('\n----\n')).toHaveLength(1);
    expect(byWorker.flat()[0]).toContain('"outcome":"ok"');
    expect(ran(mcp)).toEqual([]);
    // and the shared queue saw it complete
    const queue = await openQueue('tools', { redisUrl: redis.url });
    try {
      expect((await queue.counts()).completed).toBeGreaterThanOrEqual(1);
    } finally {
      await queue.close();
    }
    // its record is in the shared database
    const records = await query<{ name: string; state: string }>('SELECT name, state FROM job_records');
    expect(records).toContainEqual(expect.objectContaining({ name: 'diffusion_imagine', state: 'completed' }));
  }, 180_000);

  it('a conversation on Discord is stored in the shared PostgreSQL', async () => {
    const asked = emu.say('Where do my messages go in this deployment?');
    const reply = await emu.waitFor(() => emu.repliesTo(asked.id)[0], 60_000, 'the bot reply');
    await emu.waitFor(
      () => emu.repliesTo(asked.id).some((m) => m.content.includes('shared deployment')),
      30_000,
      'the full reply',
    );
    expect(reply).toBeTruthy();
    const rows = await query<{ role: string; content: string }>(
      'SELECT role, content FROM engine_messages WHERE content LIKE $1 OR content LIKE $2 ORDER BY id',
      ['%Where do my messages go%', '%shared deployment%'],
    );
    expect(rows.map((r) => r.role)).toEqual(['user', 'assistant']);
  }, 120_000);

  it('SIGTERM stops every process with exit code 0 within its grace', async () => {
    const stopped = await Promise.all(
      all().map(async (p) => ({ name: p.name, ...(await p.stop(GRACE_S * 1000 + 5000)) })),
    );
    for (const s of stopped) {
      expect({ name: s.name, code: s.code, signal: s.signal, killed: s.killed }, s.stderr.slice(-1500)).toEqual({
        name: s.name,
        code: 0,
        signal: null,
        killed: false,
      });
      expect(s.ms, s.name).toBeLessThan(GRACE_S * 1000);
    }
    console.log(`[deployment] SIGTERM to exit: ${stopped.map((s) => `${s.name} ${s.ms} ms`).join(', ')}`);
  }, 60_000);
});
