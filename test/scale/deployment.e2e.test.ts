/**
 * docs/deploy.md's N-machine layout on one machine, as real processes: with only
 * HEARTH_DATABASE_URL (a private PostgreSQL), HEARTH_REDIS_URL (a private Redis) and one shared
 * HEARTH_DATA_DIR set, `hearth worker` x2, `hearth mcp --http` x2 (behind a round-robin client,
 * as behind a load balancer without sticky sessions) and `hearth discord` (against the repo's
 * Discord emulator) run side by side, each with `--ops`; the test drives them from outside and then stops
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
  waitUntil,
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
const workers: HearthProcess[] = [];
const mcps: HearthProcess[] = [];
let mcpUrls: string[] = [];
let discord: HearthProcess;
/** Each process's `--ops` address, by process name. */
const ops = new Map<string, string>();
const all = () => [...workers, ...mcps, discord].filter(Boolean);

/** `--ops` on a free loopback port, remembered under `name`. */
async function opsFlag(name: string): Promise<string[]> {
  const listen = `127.0.0.1:${await freePort()}`;
  ops.set(name, listen);
  return ['--ops', listen];
}

/**
 * A fetch that sends each request to the next MCP instance in turn, as a load balancer without
 * sticky sessions does; `hits` counts requests per instance.
 */
function roundRobin(urls: string[]): { fetch: typeof fetch; hits: number[] } {
  const hits = urls.map(() => 0);
  let next = 0;
  return {
    hits,
    fetch: (input, init) => {
      const i = next++ % urls.length;
      hits[i]!++;
      const target = new URL(urls[i]!);
      const url = new URL(input instanceof Request ? input.url : String(input));
      url.host = target.host;
      return fetch(url, init);
    },
  };
}

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
  // all start at once on the fresh database: migrations run once (an advisory lock)
  for (const i of [1, 2]) {
    const name = `worker ${i}`;
    const args = ['worker', '--queues', 'tools', '--concurrency', '1', '--grace', String(GRACE_S)];
    workers.push(spawnHearth([...args, ...(await opsFlag(name))], { cwd, env: shared, name }));
  }
  for (const i of [1, 2]) {
    const name = `mcp ${i}`;
    mcps.push(spawnHearth(['mcp', '--http', '127.0.0.1:0', ...(await opsFlag(name))], { cwd, env: shared, name }));
  }
  discord = spawnHearth(['discord', ...(await opsFlag('discord'))], {
    cwd,
    env: { ...shared, DISCORD_TOKEN: emu.token, DISCORD_API_URL: emu.apiUrl },
    name: 'discord',
  });
  await Promise.all(workers.map((w) => w.waitFor(/Hearth worker on tools/, 150_000)));
  mcpUrls = await Promise.all(mcps.map(async (m) => (await m.waitFor(/Hearth MCP server at (\S+)/, 150_000))[1]!));
  await discord.waitFor(/Hearth is on Discord as/, 150_000);
}, 240_000);

afterAll(async () => {
  await stopAll(all(), 5000);
  await Promise.all([db?.destroy(), redis?.stop(), emu?.close(), model?.close()]);
  for (const dir of [dataDir, cwd]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the deployment of docs/deploy.md on one machine', () => {
  it('every process is ready on the shared PostgreSQL and Redis (/readyz)', async () => {
    expect([...ops.keys()].sort()).toEqual(['discord', 'mcp 1', 'mcp 2', 'worker 1', 'worker 2']);
    for (const [name, listen] of ops) {
      const res = await fetch(`http://${listen}/readyz`);
      const body = (await res.json()) as { ok: boolean; checks: Record<string, { ok: boolean }> };
      expect(res.status, `${name}: ${JSON.stringify(body)}`).toBe(200);
      expect(body.checks.database?.ok, name).toBe(true);
      // every kind checks the queue's Redis (the MCP instances' session store is the same server)
      expect(
        Object.values(body.checks).every((c) => c.ok),
        name,
      ).toBe(true);
    }
    // the processes migrated the one database once
    const versions = await query<{ version: number }>('SELECT version FROM hearth_migrations ORDER BY version');
    expect(versions.length).toBeGreaterThan(0);
    expect(new Set(versions.map((v) => v.version)).size).toBe(versions.length);
    // nothing a process printed shows the database password
    for (const p of all()) expect(p.output(), p.name).not.toContain(PRIVATE_PG_PASSWORD);
  });

  it("an MCP client's diffusion_imagine, across both MCP instances, is run by one worker, not by an MCP process", async () => {
    const client = new Client({ name: 'deployment-test', version: '1.0.0' });
    const balancer = roundRobin(mcpUrls);
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrls[0]!), { fetch: balancer.fetch }));
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
      // the session's requests reached both instances
      expect(
        balancer.hits.every((n) => n > 0),
        `requests per instance: ${balancer.hits}`,
      ).toBe(true);
    } finally {
      await client.close();
    }
    // exactly one worker logged the job; no MCP process ran a job itself
    const ran = (p: HearthProcess) =>
      p
        .output()
        .split('\n')
        .filter((l) => l.includes('"job: finished"') && l.includes('"tool":"diffusion_imagine"'));
    const byWorker = workers.map((w) => ran(w));
    expect(byWorker.flat(), workers.map((w) => w.output().slice(-1500)).join('\n----\n')).toHaveLength(1);
    expect(byWorker.flat()[0]).toContain('"outcome":"ok"');
    for (const m of mcps) expect(ran(m), m.name).toEqual([]);
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

  it('a conversation begun on one MCP instance continues on the other from PostgreSQL', async () => {
    const ask = async (url: string, question: string) => {
      const client = new Client({ name: 'deployment-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      try {
        const r = (await client.callTool(
          { name: 'ask', arguments: { question, conversation: 'deploy-conv' } },
          undefined,
          { timeout: 60_000 },
        )) as { isError?: boolean; content: { text?: string }[] };
        expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
        return r;
      } finally {
        await client.close();
      }
    };
    await ask(mcpUrls[0]!, 'Which zebra-striped process holds my first question?');
    const before = model.requests.length;
    await ask(mcpUrls[1]!, 'And my second question?');
    // the second instance read the first exchange from the shared database into its prompt
    const prompt = JSON.stringify(model.requests.slice(before).map((r) => r.body));
    expect(prompt).toContain('zebra-striped process');
    const rows = await query<{ role: string; content: string }>(
      "SELECT role, content FROM engine_messages WHERE content LIKE '%zebra-striped%' OR content LIKE '%second question%' ORDER BY id",
    );
    expect(rows.map((r) => r.role)).toEqual(['user', 'user']);
    const conversations = await query<{ n: number }>(
      "SELECT count(DISTINCT conversation)::int AS n FROM engine_messages WHERE content LIKE '%zebra-striped%' OR content LIKE '%second question%'",
    );
    expect(conversations[0]!.n).toBe(1);
  }, 120_000);

  it('a conversation on Discord is stored in the shared PostgreSQL', async () => {
    const asked = emu.say('Where do my messages go in this deployment?');
    const reply = await emu.waitFor(() => emu.repliesTo(asked.id)[0], 60_000, 'the bot reply');
    await emu.waitFor(
      () => emu.repliesTo(asked.id).some((m) => m.content.includes('shared deployment')),
      30_000,
      'the full reply',
    );
    expect(reply).toBeTruthy();
    // the Discord conversation's rows: the question and the streamed answer, in order
    const rows = await query<{ role: string; content: string }>(
      `SELECT role, content FROM engine_messages WHERE conversation =
         (SELECT conversation FROM engine_messages WHERE content LIKE '%Where do my messages go%') ORDER BY id`,
    );
    expect(rows[1]?.content).toContain('shared deployment');
    expect(rows.map((r) => r.role)).toEqual(['user', 'assistant']);
  }, 120_000);

  it('PostgreSQL restarting under the running processes: clear errors during the outage, service after it, no restart', async () => {
    const callAsk = async (url: string, question: string) => {
      const client = new Client({ name: 'deployment-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      try {
        return (await client.callTool({ name: 'ask', arguments: { question } }, undefined, { timeout: 30_000 })) as {
          isError?: boolean;
          content: { text?: string }[];
        };
      } finally {
        await client.close();
      }
    };
    const readyz = async (name: string) => (await fetch(`http://${ops.get(name)}/readyz`)).status;
    await db.stop();
    const stoppedAt = Date.now();
    try {
      // readiness says so on every process
      for (const name of ops.keys()) expect(await readyz(name), name).toBe(503);
      // an MCP caller hears why, quickly, without the password
      const started = Date.now();
      const failed = await callAsk(mcpUrls[0]!, 'Asked while the database is down');
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(failed.isError).toBe(true);
      expect(failed.content[0]?.text).toMatch(/database is unavailable/i);
      expect(JSON.stringify(failed)).not.toContain(PRIVATE_PG_PASSWORD);
      // so does a Discord user
      const asked = emu.say('Asked on Discord while the database is down');
      const reply = await emu.waitFor(() => emu.repliesTo(asked.id)[0], 30_000, 'a reply during the outage');
      expect(reply.content).toMatch(/database is unavailable|try again/i);
      expect(reply.content).not.toContain(PRIVATE_PG_PASSWORD);
      console.log(`[deployment] during the outage: MCP "${failed.content[0]?.text}"; Discord "${reply.content}"`);
    } finally {
      await db.start();
    }
    const back = Date.now();
    console.log(`[deployment] PostgreSQL down for ${back - stoppedAt} ms`);
    // the same processes serve again: every /readyz, an MCP answer on each instance, a Discord answer
    for (const name of ops.keys()) {
      await waitUntil(`${name} ready again`, async () => (await readyz(name)) === 200, 15_000);
    }
    for (const url of mcpUrls) {
      const r = await callAsk(url, `Asked after the database came back (${url})`);
      expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    }
    const asked = emu.say('Asked on Discord after the database came back');
    await emu.waitFor(
      () => emu.repliesTo(asked.id).some((m) => m.content.includes('shared deployment')),
      30_000,
      'a reply after the outage',
    );
    console.log(`[deployment] every process ready and answering ${Date.now() - back} ms after PostgreSQL started`);
    const rows = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM engine_messages WHERE content LIKE '%after the database came back%'",
    );
    expect(rows[0]!.n).toBe(3);
    for (const p of all()) expect(p.child.exitCode, p.name).toBeNull();
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
