/**
 * The knowledge store across processes: one writer process, a reader process that opened the store and searched
 * before the write, and the delay until the reader finds (and stops finding) what the writer changed.
 * Real processes on one shared folder: LanceDB (readConsistencyInterval) and the SQLite catalog (WAL).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(here, '../../packages/core/test/knowledge/fixtures/store-process.ts');
const root = mkdtempSync(join(tmpdir(), 'hearth-knowledge-readers-'));
const children: ChildProcessWithoutNullStreams[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

interface Reply {
  at: number;
  reply: { sourceId?: string; sourceIds?: string[]; ids?: string[]; removed?: boolean; error?: string };
}

/** A store process; `send` writes one command and resolves with its reply. */
async function storeProcess(dir: string, role: 'writer' | 'reader', refreshSeconds: number) {
  const child = spawn(
    process.execPath,
    ['--conditions=hearth-source', '--import', 'tsx', FIXTURE, dir, role, String(refreshSeconds)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const lines = createInterface({ input: child.stdout });
  const queue: ((line: string) => void)[] = [];
  let ready: () => void;
  const started = new Promise<void>((resolve, reject) => {
    ready = resolve;
    child.on('exit', (code) => reject(new Error(`${role} exited ${code} before ready: ${stderr.slice(-2000)}`)));
  });
  lines.on('line', (line) => (line === 'ready' ? ready() : queue.shift()?.(line)));
  await started;
  return {
    send(cmd: object): Promise<Reply> {
      return new Promise((resolve) => {
        queue.push((line) => resolve(JSON.parse(line) as Reply));
        child.stdin.write(`${JSON.stringify(cmd)}\n`);
      });
    },
    close() {
      child.stdin.end();
    },
  };
}

/** Polls `check` until it holds; returns the ms from `since` (a timestamp from the writer) to the first success. */
async function delayUntil(since: number, check: () => Promise<boolean>, limitMs: number): Promise<number> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (await check()) return Date.now() - since;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`not seen within ${limitMs} ms`);
}

const REFRESH = Number(process.env.HEARTH_KNOWLEDGE_REFRESH ?? 1);

describe(`knowledge readers in other processes (refreshSeconds ${REFRESH})`, () => {
  it('a reader that already searched finds a new source, and stops finding a removed one, within the delay', async () => {
    const dir = join(root, `k-${REFRESH}`);
    const writer = await storeProcess(dir, 'writer', REFRESH);
    const base = await writer.send({ op: 'add', title: 'Baseline', text: 'Kettles boil water for tea in kitchens.' });
    expect(base.reply.error).toBeUndefined();
    const reader = await storeProcess(dir, 'reader', REFRESH);
    // the reader has searched (its table state is cached) before the writer adds
    const first = await reader.send({ op: 'search', q: 'zebra quokka migration', mode: 'text' });
    expect(first.reply.sourceIds).toEqual([]);
    expect((await reader.send({ op: 'search', q: 'kettles', mode: 'vector' })).reply.sourceIds).toEqual([
      base.reply.sourceId,
    ]);

    const added = await writer.send({
      op: 'add',
      title: 'Zebra notes',
      text: 'Zebra and quokka migration patterns across the plains.',
    });
    const id = added.reply.sourceId as string;
    expect(id).toMatch(/^[0-9a-f]{20}$/);
    const limit = REFRESH * 1000 + 3000;
    const finds = async (mode: string) =>
      ((await reader.send({ op: 'search', q: 'zebra quokka migration', mode })).reply.sourceIds ?? []).includes(id);
    const catalogMs = await delayUntil(
      added.at,
      async () => ((await reader.send({ op: 'sources' })).reply.ids ?? []).includes(id),
      limit,
    );
    const vectorMs = await delayUntil(added.at, () => finds('vector'), limit);
    const textMs = await delayUntil(added.at, () => finds('text'), limit);
    const hybridMs = await delayUntil(added.at, () => finds('hybrid'), limit);

    const removed = await writer.send({ op: 'remove', id });
    expect(removed.reply.removed).toBe(true);
    const goneMs = await delayUntil(removed.at, async () => !(await finds('hybrid')), limit);

    const figures = { refreshSeconds: REFRESH, catalogMs, vectorMs, textMs, hybridMs, goneMs };
    process.stderr.write(`knowledge reader delay: ${JSON.stringify(figures)}\n`);
    // stated delay: refreshSeconds plus the reader's own search time
    for (const ms of [vectorMs, textMs, hybridMs, goneMs]) expect(ms).toBeLessThanOrEqual(REFRESH * 1000 + 1500);
    // the catalog (SQLite, WAL) is read fresh on every call
    expect(catalogMs).toBeLessThan(1000);
    writer.close();
    reader.close();
  }, 120_000);
});
