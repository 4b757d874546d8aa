// Queue faults with real processes: tool calls routed by queueTools to worker processes over a
// real Redis; a worker killed mid-job, and the Redis server itself restarted during a burst.
// Recovery times are printed (`recovery:` lines) for docs/benchmarks/scale.md.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Caller, ToolResult } from '@hearth/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../packages/core/src/log/logger.js';
import { Redactor } from '../../packages/core/src/log/redact.js';
import { type JobEvent, type JobQueue, openRedisQueue, queueTools } from '../../packages/core/src/queue/index.js';
import { createImagineTool } from '../../packages/plugins/diffusion/src/tool.js';
import { registryOf, stampTool } from './fixtures/queue/tools.js';
import { type HearthProcess, spawnHearth, startPrivateRedis, stopAll, workDir } from './lib/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const WORKER = resolve(import.meta.dirname, 'fixtures/queue/worker.ts');
const SHARED_REDIS = process.env.HEARTH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = 'hearth-test-faults';
const caller: Caller = { surface: 'test', userId: 'faults', roles: [], isAdmin: false };
const silentLog = createLogger({ level: 'silent', redactor: new Redactor() });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A marks folder and a queue name of this test's own. */
function scratch(tag: string): { marks: string; queue: string } {
  const marks = mkdtempSync(join(tmpdir(), `hearth-faults-${tag}-`));
  cleanups.push(() => rmSync(marks, { recursive: true, force: true }));
  return { marks, queue: `faults-${tag}-${process.pid}-${Math.random().toString(36).slice(2, 8)}` };
}

/** Starts a fixture worker process; resolves once it said `ready`. */
async function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--conditions=hearth-source', '--import', 'tsx', WORKER], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PREFIX, ...env },
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  await new Promise<void>((ok, fail) => {
    child.stdout?.on('data', (d) => String(d).includes('ready') && ok());
    child.on('exit', (code) => fail(new Error(`fixture worker exited ${code}: ${err.slice(-2000)}`)));
  });
  return child;
}

/** Lines of a marks file: `<pid> <ms since epoch>`. */
function marks(dir: string, file: string): { pid: number; at: number }[] {
  const path = join(dir, file);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ').map(Number) as [number, number])
    .map(([pid, at]) => ({ pid, at }));
}

async function until(what: string, test: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The calling side: a registry whose `stamp` calls become jobs on `queue`. */
function caller_side(queue: JobQueue, dir: string) {
  const registry = registryOf([stampTool(dir)]);
  cleanups.push(queueTools({ registry, queue, tools: ['stamp'], log: silentLog }));
  return (key: string, ms: number): Promise<ToolResult> => registry.call('stamp', { key, ms }, { caller });
}

describe('queued tool calls survive faults (real worker processes, real Redis)', () => {
  it('kill -9 of a worker mid-job: the job finishes once on the other worker, its result is delivered once', async () => {
    const { marks: dir, queue: name } = scratch('kill');
    const env = { REDIS_URL: SHARED_REDIS, QUEUE: name, LOCK_MS: '1000', MARKS: dir };
    const workers = await Promise.all([startWorker(env), startWorker(env)]);
    const queue = await openRedisQueue(name, { url: SHARED_REDIS, prefix: PREFIX, lockMs: 1000 });
    cleanups.push(() => queue.close());
    const completed: JobEvent[] = [];
    queue.on((e) => e.type === 'completed' && completed.push(e));
    const stamp = caller_side(queue, dir);

    let deliveries = 0;
    const call = stamp('killed-mid-job', 2500).then((r) => (deliveries++, r));
    await until('the job to start', () => marks(dir, 'killed-mid-job.starts').length === 1);
    const victim = marks(dir, 'killed-mid-job.starts')[0]!.pid;
    const killedAt = Date.now();
    workers.find((w) => w.pid === victim)!.kill('SIGKILL');

    const res = await call;
    const deliveredAt = Date.now();
    const starts = marks(dir, 'killed-mid-job.starts');
    const runs = marks(dir, 'killed-mid-job.runs');
    const survivor = workers.find((w) => w.pid !== victim)!.pid;
    expect(starts.map((s) => s.pid)).toEqual([victim, survivor]);
    expect(runs.map((r) => r.pid)).toEqual([survivor]); // finished once, on the other worker
    expect(res.data).toEqual({ pid: survivor });
    await new Promise((r) => setTimeout(r, 1500)); // a second delivery would come by now
    expect(deliveries).toBe(1);
    expect(completed).toHaveLength(1);
    const restart = starts[1]!.at - killedAt;
    console.log(
      `recovery: kill -9 worker -> job restarted on the other worker in ${restart} ms, result delivered ${deliveredAt - killedAt} ms after the kill (lock 1000 ms, job 2500 ms)`,
    );
    expect(restart).toBeLessThan(10_000);
  }, 60_000);

  it('Redis restarted during a burst: producers and workers reconnect, no call lost or run twice', async () => {
    const redis = await privateRedis();
    const { marks: dir, queue: name } = scratch('restart');
    // the lock outlasts the outage: a running job keeps its claim while Redis is away
    const env = { REDIS_URL: redis.url, QUEUE: name, LOCK_MS: '15000', MARKS: dir, CONCURRENCY: '3' };
    const workers = await Promise.all([startWorker(env), startWorker(env)]);
    const queue = await openRedisQueue(name, { url: redis.url, prefix: PREFIX, lockMs: 15_000 });
    cleanups.push(() => queue.close());
    const stamp = caller_side(queue, dir);

    const N = 40;
    const keys = Array.from({ length: N }, (_, i) => `burst-${i}`);
    const results = new Map<string, ToolResult>();
    // half the burst before the outage, half while Redis is down (they wait in the client's offline queue)
    const calls = keys.slice(0, N / 2).map((k) => stamp(k, 300).then((r) => results.set(k, r)));
    await until('some jobs to finish', () => keys.some((k) => marks(dir, `${k}.runs`).length > 0));
    await redis.stop();
    const downAt = Date.now();
    calls.push(...keys.slice(N / 2).map((k) => stamp(k, 300).then((r) => results.set(k, r))));
    await new Promise((r) => setTimeout(r, 1500));
    await redis.start();
    const upAt = Date.now();
    await Promise.all(calls);
    const allDoneAt = Date.now();

    expect(results.size).toBe(N);
    for (const k of keys) expect(marks(dir, `${k}.runs`), k).toHaveLength(1); // every call ran exactly once
    const afterUp = keys
      .flatMap((k) => marks(dir, `${k}.runs`))
      .map((r) => r.at)
      .filter((at) => at > upAt)
      .sort((a, b) => a - b);
    expect(afterUp.length).toBeGreaterThan(0);
    console.log(
      `recovery: Redis down ${upAt - downAt} ms; after it came back the first job completed in ${afterUp[0]! - upAt} ms, ` +
        `the last in ${afterUp.at(-1)! - upAt} ms, and all ${N} calls were answered in ${allDoneAt - upAt} ms ` +
        `(${afterUp.length} jobs after the restart, 2 workers x concurrency 3, 300 ms jobs)`,
    );
    expect(afterUp[0]! - upAt).toBeLessThan(10_000);
    // each worker is back at work soon after Redis (BullMQ's own retry delay after a failed fetch is 15 s)
    const startsAfterUp = keys.flatMap((k) => marks(dir, `${k}.starts`)).filter((m) => m.at > upAt);
    for (const w of workers) {
      const first = Math.min(...startsAfterUp.filter((m) => m.pid === w.pid).map((m) => m.at));
      expect(first - upAt, `worker ${w.pid} resumed`).toBeLessThan(10_000);
    }
    expect(allDoneAt - upAt).toBeLessThan(30_000);
  }, 120_000);
});

describe('a real `hearth worker` killed mid-job', () => {
  it('kill -9 during diffusion_imagine: the other hearth worker takes it after --lock and finishes it once', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const cwd = workDir();
    writeFileSync(join(cwd, 'hearth.config.json'), JSON.stringify({ knowledge: { ingestDocsOnStart: false } }));
    const workers: HearthProcess[] = [0, 1].map((i) => {
      const dataDir = mkdtempSync(join(tmpdir(), `hearth-faults-worker-${i}-`));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const env = { HEARTH_REDIS_URL: redis.url, HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'debug' };
      const args = ['worker', '--concurrency', '1', '--grace', '5', '--lock', '6'];
      return spawnHearth(args, { cwd, env, name: `worker ${i + 1}` });
    });
    cleanups.push(async () => {
      await stopAll(workers, 5000);
      rmSync(cwd, { recursive: true, force: true });
    });
    await Promise.all(workers.map((w) => w.waitFor(/Hearth worker on tools/, 150_000)));

    // the calling side, as an MCP or Discord process has it: the tools queue and the routed tool
    const queue = await openRedisQueue('tools', { url: redis.url });
    cleanups.push(() => queue.close());
    const registry = registryOf([createImagineTool()], 'diffusion_');
    cleanups.push(queueTools({ registry, queue, tools: ['diffusion_imagine'], log: silentLog }));
    let deliveries = 0;
    const input = { prompt: 'the digit 3', size: 16, count: 16, steps: 50, seed: 3 };
    const call = registry.call('diffusion_imagine', input, { caller }).then((r) => (deliveries++, r));

    const started = /"jobId":"(call-[\w-]+)","tool":"diffusion_imagine"[^\n]*"msg":"job: started"/;
    const [first] = await Promise.race(workers.map((w) => w.waitFor(started, 60_000).then(() => [w])));
    const victim = first!;
    const jobId = victim.output().match(started)![1]!;
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    const res = await call;
    const deliveredAt = Date.now();

    const survivor = workers.find((w) => w !== victim)!;
    const startLine = survivor
      .output()
      .split('\n')
      .find((l) => l.includes(jobId) && l.includes('"msg":"job: started"'));
    const restartedAt = (JSON.parse(startLine!.slice(startLine!.indexOf('{'))) as { time: number }).time;
    const finished = (w: HearthProcess) =>
      w
        .output()
        .split('\n')
        .filter((l) => l.includes(jobId) && l.includes('"msg":"job: finished"'));
    expect(finished(victim)).toEqual([]);
    expect(finished(survivor)).toHaveLength(1);
    expect(finished(survivor)[0]).toContain('"outcome":"ok"');
    expect(res.content.map((p) => p.type)).toEqual(['text', 'image']);
    await new Promise((r) => setTimeout(r, 1000));
    expect(deliveries).toBe(1);
    console.log(
      `recovery: kill -9 of a real hearth worker mid-imagine -> the other worker restarted the job ${restartedAt - killedAt} ms ` +
        `and delivered its result ${deliveredAt - killedAt} ms after the kill (--lock 6: stall check every 3 s)`,
    );
    expect(restartedAt - killedAt).toBeLessThan(20_000);
  }, 240_000);
});

/** A private redis-server on a free port with an append-only file (fsync always), so a restart keeps the jobs. */
async function privateRedis(): Promise<{ url: string; stop(): Promise<void>; start(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-faults-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const c = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = c;
    await new Promise<void>((ok, fail) => {
      c.stdout?.on('data', (d) => String(d).includes('Ready to accept connections') && ok());
      c.on('exit', (code) => fail(new Error(`redis-server exited ${code}`)));
    });
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM'); // shuts down cleanly: the append-only file is flushed
    await exited;
  };
  await start();
  cleanups.push(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { url: `redis://127.0.0.1:${port}`, stop, start };
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}
