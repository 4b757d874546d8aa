/**
 * Scale-out overheads: jobs/s of a trivial job through the in-process queue and the Redis
 * (BullMQ) queue, and the storage cost of one conversation turn (append an exchange + read the
 * history back) on SQLite and PostgreSQL. Needs PostgreSQL and Redis (HEARTH_BENCH_DATABASE_URL,
 * HEARTH_BENCH_REDIS_URL; defaults: loopback). `pnpm bench scale`; results in docs/benchmarks/scale.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// relative imports: bench/ is not a workspace package
import { InProcessQueue, type JobQueue, openRedisQueue } from '../packages/core/src/queue/index.js';
import { type HearthStorage, openStorage } from '../packages/core/src/storage/index.js';
import { pg } from '../packages/core/src/storage/pg-module.js';

const PG_URL = process.env.HEARTH_BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const REDIS_URL = process.env.HEARTH_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const JOBS = Number(process.env.HEARTH_BENCH_JOBS ?? 2000);
const TURNS = Number(process.env.HEARTH_BENCH_TURNS ?? 500);
const CONCURRENCY = 8;

/** Jobs per second for `JOBS` trivial jobs added in batches of 100 and run at `CONCURRENCY`. */
async function throughput(queue: JobQueue): Promise<number> {
  let done = 0;
  let finish!: () => void;
  const all = new Promise<void>((r) => {
    finish = r;
  });
  const worker = queue.work(
    async (job) => {
      if (++done === JOBS) finish();
      return (job.data as { i: number }).i;
    },
    { concurrency: CONCURRENCY },
  );
  const start = performance.now();
  for (let i = 0; i < JOBS; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, JOBS - i) }, (_, k) => queue.add('noop', { i: i + k })));
  }
  await all;
  const seconds = (performance.now() - start) / 1000;
  await worker.drain(1000);
  return JOBS / seconds;
}

/** p50/p95 ms of one turn: read the history (summary + newest 20 messages), then append an exchange. */
async function turns(storage: HearthStorage): Promise<{ p50: number; p95: number }> {
  const conv = `bench|${Math.random().toString(36).slice(2)}`;
  const text = 'A question of typical length about the deployment of Hearth on several machines. '.repeat(3);
  const times: number[] = [];
  for (let t = 0; t < TURNS + 50; t++) {
    const start = performance.now();
    await storage.conversations.summary(conv);
    let n = 0;
    for await (const _ of storage.conversations.newestFirst(conv, 0)) if (++n >= 20) break;
    await storage.conversations.appendExchange(conv, [
      { role: 'user', content: text, tokens: 60 },
      { role: 'assistant', content: text, tokens: 60 },
    ]);
    if (t >= 50) times.push(performance.now() - start); // the first 50 warm up
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, p95: times[Math.floor(times.length * 0.95)]! };
}

export async function run(): Promise<string> {
  const memory = await throughput(new InProcessQueue('bench'));
  const redisQueue = await openRedisQueue(`bench-${process.pid}`, { url: REDIS_URL, prefix: 'hearth-bench' });
  let redis: number;
  try {
    redis = await throughput(redisQueue);
  } finally {
    await redisQueue.close();
  }

  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-scale-'));
  const schema = `hearth_bench_${process.pid}`;
  const sqlite = await openStorage({ dataDir: dir, databaseUrl: '' });
  const postgres = await openStorage({ dataDir: dir, databaseUrl: PG_URL, schema });
  let s: { p50: number; p95: number };
  let p: { p50: number; p95: number };
  try {
    s = await turns(sqlite);
    p = await turns(postgres);
  } finally {
    await sqlite.close();
    await postgres.close();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
    rmSync(dir, { recursive: true, force: true });
  }
  const f = (n: number, d = 2) => n.toFixed(d);
  return [
    '## scale',
    '',
    `Trivial job (returns its input), ${JOBS} jobs added in batches of 100, one worker at concurrency ${CONCURRENCY}, same process as the producer:`,
    '',
    '| queue | jobs/s |',
    '| --- | ---: |',
    `| in-process | ${f(memory, 0)} |`,
    `| Redis (BullMQ, loopback) | ${f(redis, 0)} |`,
    '',
    `One conversation turn's storage work (summary + newest 20 messages read, one exchange appended), ${TURNS} turns after 50 warm-up:`,
    '',
    '| engine | p50 ms | p95 ms |',
    '| --- | ---: | ---: |',
    `| SQLite (WAL, data folder) | ${f(s.p50, 3)} | ${f(s.p95, 3)} |`,
    `| PostgreSQL 15 (loopback) | ${f(p.p50, 3)} | ${f(p.p95, 3)} |`,
    '',
    `PostgreSQL goal: p50 < 3 ms: ${p.p50 < 3 ? 'met' : 'NOT met'}.`,
    '',
  ].join('\n');
}
