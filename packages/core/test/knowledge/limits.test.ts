import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@hearth/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createHearth, type Hearth } from '../../src/runtime.js';

describe('knowledge.maxFileBytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-kn-limit-'));
  let hearth: Hearth | undefined;
  afterAll(async () => {
    await hearth?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('skips a file over the configured size with the reason, and ingests the rest', async () => {
    writeFileSync(join(dir, 'big.txt'), 'Large file. '.repeat(200));
    writeFileSync(join(dir, 'small.txt'), 'The library opens at nine.');
    const config = await loadConfig({
      cwd: dir,
      env: {},
      overrides: {
        dataDir: join(dir, 'data'),
        logLevel: 'silent',
        plugins: { firstParty: false },
        knowledge: { ingestDocsOnStart: false, maxFileBytes: 1000 },
      },
    });
    hearth = await createHearth({ config, skipPlugins: true });
    const report = await hearth.knowledge.ingest([join(dir, 'big.txt'), join(dir, 'small.txt')]);
    expect(report.skipped).toEqual([expect.objectContaining({ reason: 'too large', detail: '2400 bytes > 1000' })]);
    expect(report.added).toHaveLength(1);
  });
});
