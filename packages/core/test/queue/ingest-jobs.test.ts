/**
 * `hearth ingest` on a deployment with a shared queue: the command loads the sources, the one
 * knowledge writer ingests them from `knowledge.ingest` jobs (in memory and through Redis).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LoadResult } from '../../src/knowledge/inputs.js';
import type { IngestReport } from '../../src/knowledge/types.js';
import { INGEST_JOB, ingestJobHandler, ingestThroughQueue, type JobQueue } from '../../src/queue/index.js';
import { KINDS, queueOf, uniqueName } from './queues.js';

const ok = (uri: string, text: string): LoadResult => ({
  ok: true,
  uri,
  contentHash: `h-${uri}`,
  source: { title: uri, mimeType: 'text/markdown', docs: [{ title: uri, text, markdown: true }] },
});

describe.each(KINDS)('ingest through the %s queue', (kind) => {
  const opened: JobQueue[] = [];
  afterEach(async () => {
    for (const q of opened.splice(0)) await q.close();
  });

  async function pair(
    ingestLoaded: (loaded: LoadResult[], o: { onProgress?: (d: number, t: number) => void }) => Promise<IngestReport>,
  ) {
    const name = uniqueName('ingest');
    const writer = await queueOf(kind, name);
    const caller = kind === 'memory' ? writer : await queueOf(kind, name);
    opened.push(...new Set([caller, writer]));
    writer.work({ [INGEST_JOB]: ingestJobHandler({ ingestLoaded }) });
    return caller;
  }

  it('sends the loaded sources to the writer and returns its report, with its progress', async () => {
    const seen: LoadResult[][] = [];
    const caller = await pair(async (loaded, o) => {
      seen.push(loaded);
      loaded.forEach((_, i) => o.onProgress?.(i + 1, loaded.length));
      return {
        added: loaded.filter((l) => l.ok).map((l) => ({ uri: l.uri, sourceId: `id-${l.uri}`, chunks: 1 })),
        changed: [],
        unchanged: [],
        skipped: loaded.flatMap((l) => (l.ok ? [] : [{ uri: l.uri, reason: l.reason, detail: l.detail }])),
      };
    });
    const progress: number[] = [];
    const report = await ingestThroughQueue(
      caller,
      [
        ok('a.md', 'alpha'),
        { ok: false, uri: 'b.bin', reason: 'unsupported type', detail: '.bin' },
        ok('c.md', 'gamma'),
      ],
      { scope: { guildId: 'g1' }, onProgress: (done) => progress.push(done) },
    );
    expect(report.added.map((a) => a.uri)).toEqual(['a.md', 'c.md']);
    expect(report.skipped).toEqual([{ uri: 'b.bin', reason: 'unsupported type', detail: '.bin' }]);
    expect(seen.flat().map((l) => l.uri)).toEqual(['a.md', 'b.bin', 'c.md']);
    expect((seen[0]![0] as Extract<LoadResult, { ok: true }>).source.docs[0]!.text).toBe('alpha');
    expect(progress.at(-1)).toBe(3);
  });

  it("names the worker's failure", async () => {
    const caller = await pair(async () => {
      throw new Error('disk full');
    });
    await expect(ingestThroughQueue(caller, [ok('a.md', 'alpha')])).rejects.toThrow(
      /The ingest worker failed: .*disk full/,
    );
  });

  it('says when no worker answers in time, and cancels the job', async () => {
    const name = uniqueName('ingest-none');
    const caller = await queueOf(kind, name);
    opened.push(caller);
    await expect(ingestThroughQueue(caller, [ok('a.md', 'alpha')], { maxWaitMs: 300 })).rejects.toThrow(
      /did not finish within 0 s on the ".*" queue \(is `hearth worker --queues .*` running\?\)/,
    );
    // a worker that starts later drops the cancelled job instead of writing it
    const calls: LoadResult[][] = [];
    caller.work({
      [INGEST_JOB]: ingestJobHandler({
        ingestLoaded: async (loaded) => {
          calls.push(loaded);
          return { added: [], changed: [], unchanged: [], skipped: [] };
        },
      }),
    });
    const end = Date.now() + 5000;
    while ((await caller.counts()).waiting > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    expect((await caller.counts()).waiting).toBe(0);
    expect(calls).toEqual([]);
  });
});
