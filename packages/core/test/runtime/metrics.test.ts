import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { metrics } from '../../src/ops/metrics.js';
import { createHearth, type Hearth } from '../../src/runtime.js';

/** The value of one series of the exposition text, 0 when absent. */
function series(body: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of body.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (want.every((l) => line.includes(l))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('model metrics after a turn on the shipped local model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-model-metrics-'));
  let hearth: Hearth | undefined;
  afterAll(async () => {
    await hearth?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('times the chat call and the embedding batches, and counts their tokens', async () => {
    const config = await loadConfig({
      cwd: dir,
      env: {},
      overrides: {
        dataDir: join(dir, 'data'),
        logLevel: 'silent',
        plugins: { firstParty: false },
        knowledge: { ingestDocsOnStart: false },
      },
    });
    hearth = await createHearth({ config, skipPlugins: true, console: 'none' });
    const before = (await metrics().scrape()).body;
    writeFileSync(join(dir, 'club.txt'), 'The chess club meets every Tuesday at six in room 12 of the library.');
    await hearth.knowledge.ingest([join(dir, 'club.txt')]);
    const result = await hearth.engine.turn({
      conversation: { surface: 'cli', sessionId: 'metrics' },
      text: 'When does the chess club meet?',
      caller: { surface: 'cli', userId: 'op', roles: [], isAdmin: true },
    });
    expect(result.model).toBe('local');
    const after = (await metrics().scrape()).body;
    const grew = (name: string, labels: Record<string, string>) =>
      series(after, name, labels) - series(before, name, labels);
    expect(grew('hearth_model_latency_seconds_count', { model: 'local', kind: 'chat' })).toBeGreaterThanOrEqual(1);
    expect(grew('hearth_model_latency_seconds_sum', { model: 'local', kind: 'chat' })).toBeGreaterThan(0);
    expect(grew('hearth_model_tokens_total', { model: 'local', kind: 'prompt' })).toBeGreaterThan(10);
    expect(grew('hearth_model_tokens_total', { model: 'local', kind: 'completion' })).toBeGreaterThan(0);
    const embedder = (await hearth.models.embedder()).ref;
    // one batch for the ingested chunk, one for the question
    expect(grew('hearth_model_latency_seconds_count', { model: embedder, kind: 'embed' })).toBeGreaterThanOrEqual(2);
    expect(grew('hearth_model_tokens_total', { model: embedder, kind: 'embed' })).toBeGreaterThan(10);
  }, 180_000);
});
