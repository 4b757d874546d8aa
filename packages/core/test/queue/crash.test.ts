import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobQueue } from '../../src/queue/index.js';
import { queueOf, uniqueName } from './queues.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const FIXTURE = resolve(import.meta.dirname, 'fixtures/slow-worker.ts');

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const f of cleanups.splice(0)) await f();
});

function startWorker(name: string, log: string, jobMs: number): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=hearth-source', '--import', 'tsx', FIXTURE, name, log, String(jobMs)],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: process.env },
  );
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  child.on('exit', (code) => {
    if (code) console.error(`worker ${child.pid} exited ${code}: ${err.slice(-2000)}`);
  });
  children.push(child);
  return child;
}

const lines = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);

async function until(what: string, test: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Redis queue across real processes', () => {
  async function setup(): Promise<{ q: JobQueue; name: string; log: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-crash-'));
    const name = uniqueName('crash');
    const q = await queueOf('redis', name);
    cleanups.push(async () => {
      await q.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return { q, name, log: join(dir, 'log') };
  }

  it('kill -9 of a worker mid-job: another worker finishes the job, once', async () => {
    const { q, name, log } = await setup();
    const workers = [startWorker(name, log, 1500), startWorker(name, log, 1500)];
    await until('both workers ready', () => workers.every((w) => lines(log).includes(`ready ${w.pid}`)));
    const id = await q.add('slow', {}, { jobId: 'crash-1', attempts: 3, backoffMs: 10 });
    await until('a worker to start the job', () => lines(log).some((l) => l.startsWith('start ')));
    const first = Number(
      lines(log)
        .find((l) => l.startsWith('start '))
        ?.split(' ')[1],
    );
    const victim = workers.find((w) => w.pid === first)!;
    const survivor = workers.find((w) => w !== victim)!;
    victim.kill('SIGKILL');
    // the survivor takes the job once the victim's lock (1 s) expires and the stall check runs
    expect(await q.result(id, 20_000)).toBe(survivor.pid);
    const done = lines(log).filter((l) => l.startsWith('done '));
    expect(done).toEqual([`done ${survivor.pid} ${id}`]);
    expect(lines(log)).toContain(`start ${survivor.pid} ${id}`);
  });

  it('SIGTERM drains: the running job finishes, then the worker exits 0', async () => {
    const { q, name, log } = await setup();
    const w = startWorker(name, log, 800);
    await until('worker ready', () => lines(log).some((l) => l === `ready ${w.pid}`));
    const id = await q.add('slow', {}, { jobId: 'term-1' });
    await until('job start', () => lines(log).includes(`start ${w.pid} ${id}`));
    const exited = new Promise<number | null>((r) => w.on('exit', (code) => r(code)));
    w.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines(log)).toEqual([
      `ready ${w.pid}`,
      `start ${w.pid} ${id}`,
      `stopping ${w.pid} SIGTERM`,
      `done ${w.pid} ${id}`,
    ]);
    expect(await q.result(id, 5000)).toBe(w.pid);
  });
});
