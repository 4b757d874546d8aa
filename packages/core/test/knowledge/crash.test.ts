import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openKnowledgeStore } from '../../src/knowledge/index.js';
import { LocalHashEmbedder } from '../../src/providers/embedders/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'hearth-crash-'));
const FILES = 40;

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Starts the child ingest and SIGKILLs it once it reports `killAt` files done. */
function ingestAndKill(dir: string, docs: string, killAt: number): Promise<{ killed: boolean; progress: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=hearth-source', '--import', 'tsx', join(here, 'fixtures', 'ingest-child.ts'), dir, docs],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let progress = 0;
    let killed = false;
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (data: Buffer) => {
      for (const m of data.toString().matchAll(/progress (\d+)/g)) progress = Math.max(progress, Number(m[1]));
      if (!killed && progress >= killAt) {
        killed = child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve({ killed: signal === 'SIGKILL', progress });
      else reject(new Error(`child exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

describe('crash safety', () => {
  it('a process killed by SIGKILL mid-ingest leaves a readable store, and a re-run completes it', async () => {
    const docs = join(root, 'docs');
    mkdirSync(docs, { recursive: true });
    for (let i = 0; i < FILES; i++) {
      const paragraphs = Array.from({ length: 6 }, (_, p) =>
        `Paragraph ${p} of file ${i} talks about topic${i} and item${i}x${p}. `.repeat(12),
      );
      writeFileSync(join(docs, `file-${String(i).padStart(2, '0')}.md`), `# File ${i}\n\n${paragraphs.join('\n\n')}\n`);
    }
    const dir = join(root, 'knowledge');
    const run = await ingestAndKill(dir, docs, 12);
    expect(run.killed).toBe(true);
    expect(run.progress).toBeLessThan(FILES);

    // Readable after the kill: opening recovers, searching and listing work, and no half-written rows remain.
    const store = await openKnowledgeStore({ dir, embedder: new LocalHashEmbedder() });
    try {
      const listed = await store.listSources();
      expect(listed.length).toBeGreaterThan(0);
      const indexed = listed.reduce((a, s) => a + s.chunks, 0);
      expect(await store.embedderTableCount()).toBe(indexed);
      expect((await store.search('topic3', { k: 3 })).length).toBeGreaterThan(0);

      const report = await store.ingest([docs]);
      expect(report.skipped).toEqual([]);
      expect(report.added.length + report.changed.length + report.unchanged.length).toBe(FILES);
      const after = await store.listSources();
      expect(after).toHaveLength(FILES);
      expect(after.every((s) => s.chunks > 0)).toBe(true);
      expect(await store.embedderTableCount()).toBe(after.reduce((a, s) => a + s.chunks, 0));
      const [hit] = await store.search('topic39 item39x5', { k: 1 });
      expect(hit.text).toContain('file 39');
      const again = await store.ingest([docs]);
      expect(again.unchanged).toHaveLength(FILES);
    } finally {
      await store.close();
    }
  });
});
