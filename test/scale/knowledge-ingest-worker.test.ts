/**
 * One writer for the knowledge store: with HEARTH_REDIS_URL, `add_knowledge` and `remove_knowledge` calls become
 * jobs on the `ingest` queue, which one real `hearth worker --queues ingest --concurrency 1` runs against the
 * shared LanceDB folder; the calling process (a reader with a data folder of its own, as on another machine)
 * finds the new source within knowledge.refreshSeconds, and lists it through the source list the writer
 * publishes to the shared PostgreSQL as soon as the call returns.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Caller } from '@hearth/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { createHearth, createLogger, type Hearth, Redactor } from '../../packages/core/src/index.js';
import { privateDatabase } from '../mcp/cluster.js';
import { type HearthProcess, spawnHearth, startPrivateRedis, stopAll, workDir } from './lib/index.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
}, 60_000);

const operator: Caller = { surface: 'cli', userId: 'operator', roles: [], isAdmin: true };
const REFRESH = 1;

describe('knowledge writes through the ingest queue', () => {
  it('one ingest worker writes; the caller reads its new version; a second ingest worker with concurrency > 1 is warned', async () => {
    const redis = await startPrivateRedis(); // private: these workers must not take anyone else's `ingest` jobs
    cleanups.push(() => redis.stop());
    const cwd = workDir();
    const db = await privateDatabase();
    cleanups.push(() => db.drop());
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-ingest-data-'));
    const readerDir = mkdtempSync(join(tmpdir(), 'hearth-ingest-reader-'));
    cleanups.push(() => {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(readerDir, { recursive: true, force: true });
    });
    writeFileSync(
      join(cwd, 'hearth.config.json'),
      JSON.stringify({
        // the one LanceDB location every process shares (an s3:// uri across machines)
        knowledge: { ingestDocsOnStart: false, refreshSeconds: REFRESH, uri: join(dataDir, 'shared-lancedb') },
        plugins: { firstParty: false },
      }),
    );
    const env = { HEARTH_REDIS_URL: redis.url, HEARTH_DATA_DIR: dataDir, HEARTH_DATABASE_URL: db.url };
    const writer = spawnHearth(['worker', '--queues', 'ingest', '--concurrency', '1', '--grace', '5'], {
      cwd,
      env,
      name: 'ingest worker',
    });
    const extra = spawnHearth(['worker', '--queues', 'ingest', '--concurrency', '3', '--grace', '1'], {
      cwd,
      env,
      name: 'misconfigured ingest worker',
    });
    const workers: HearthProcess[] = [writer, extra];
    cleanups.push(async () => {
      await stopAll(workers, 5000);
      rmSync(cwd, { recursive: true, force: true });
    });
    await extra.waitFor(/Warning: --concurrency 3 on the "ingest" queue/, 150_000);
    await extra.stop(5000); // only one writer from here on
    await writer.waitFor(/Hearth worker on ingest \(concurrency 1\)/, 150_000);
    expect(writer.output()).not.toMatch(/Warning: --concurrency/);

    // the calling side: an ordinary Hearth process (as `hearth mcp` has it) with its own data folder
    const hearth: Hearth = await createHearth({
      cwd,
      env: { ...env, HEARTH_DATA_DIR: readerDir },
      logger: createLogger({ level: 'silent', redactor: new Redactor() }),
      skipPlugins: true,
    });
    cleanups.push(() => hearth.close()); // closed first, while Redis still runs
    expect(await hearth.knowledge.search('okapi stripes')).toEqual([]); // searched before the write

    const added = await hearth.registry.call(
      'add_knowledge',
      { title: 'Okapi', text: 'The okapi has zebra-like stripes on its legs.' },
      { caller: operator },
    );
    const sourceId = (added.data as { sourceId: string }).sourceId;
    const addedAt = Date.now();
    const jobLine = writer
      .output()
      .split('\n')
      .find((l) => l.includes('"tool":"add_knowledge"') && l.includes('"msg":"job: finished"'));
    expect(jobLine, 'the ingest worker ran the call').toBeDefined();
    // listed at once, from the writer's published list (this process's own catalog is empty)
    expect((await hearth.knowledge.listSources()).map((s) => [s.id, s.title])).toEqual([[sourceId, 'Okapi']]);
    expect((await hearth.knowledge.getSource(sourceId))?.text).toContain('zebra-like');

    let seenMs = -1;
    while (Date.now() - addedAt < REFRESH * 1000 + 3000) {
      if ((await hearth.knowledge.search('okapi stripes')).some((h) => h.sourceId === sourceId)) {
        seenMs = Date.now() - addedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    console.log(`knowledge: the caller found the ingest worker's new source ${seenMs} ms after the call returned`);
    expect(seenMs).toBeGreaterThanOrEqual(0);
    expect(seenMs).toBeLessThanOrEqual(REFRESH * 1000 + 1500);

    const removed = await hearth.registry.call('remove_knowledge', { source_id: sourceId }, { caller: operator });
    expect(removed.data).toEqual({ removed: true });
    expect(writer.output()).toMatch(/"tool":"remove_knowledge"[^\n]*"msg":"job: finished"/);
    expect(await hearth.knowledge.listSources()).toEqual([]);

    // `hearth ingest` on a machine that is not the writer: it reads the file here, the worker writes it
    const doc = join(readerDir, 'giraffe.md');
    writeFileSync(doc, '# Giraffes\n\nA giraffe sleeps less than two hours a day, mostly standing.');
    const cli = spawnHearth(['ingest', doc], {
      cwd,
      env: { ...env, HEARTH_DATA_DIR: readerDir },
      name: 'hearth ingest',
    });
    const ran = await cli.exited;
    expect(ran.code, cli.output()).toBe(0);
    expect(cli.stdout()).toMatch(/added 1 \(\d+ chunks\)/);
    expect(writer.output()).toMatch(/"job":"knowledge\.ingest"[^\n]*"added":1/);
    expect((await hearth.knowledge.listSources()).map((s) => s.uri)).toEqual([doc]);

    // reindex writes the store itself: beside a running ingest worker it refuses unless told --direct
    const reindex = spawnHearth(['reindex', '--embedder', 'local'], {
      cwd,
      env: { ...env, HEARTH_DATA_DIR: readerDir },
      name: 'hearth reindex',
    });
    const refused = await reindex.exited;
    expect(refused.code).not.toBe(0);
    expect(reindex.stderr()).toMatch(/the one knowledge writer.*Stop that worker.*--direct/s);
  }, 300_000);
});
