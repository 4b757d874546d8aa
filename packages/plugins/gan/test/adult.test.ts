import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { augmentTable, inferTable, parseCsv } from '../src/index.js';

const dir = new URL('../../../../../shared/data/adult/', import.meta.url);
const present = existsSync(new URL('adult.csv', dir));

describe.skipIf(!present)('UCI Adult (skipped: needs ../shared/data/adult/adult.csv)', () => {
  const raw = present ? parseCsv(readFileSync(new URL('adult.csv', dir), 'utf8')) : undefined;

  it('infers the same column types as the CTGAN metadata and keeps "?" as the missing token', () => {
    const meta = JSON.parse(readFileSync(new URL('adult.ctgan-meta.json', dir), 'utf8')) as {
      columns: { name: string; type: string }[];
    };
    const table = inferTable(raw!);
    const kinds = Object.fromEntries(table.columns.map((c) => [c.name, c.kind]));
    for (const c of meta.columns)
      expect(kinds[c.name], c.name).toBe(c.type === 'continuous' ? 'continuous' : 'discrete');
    expect(raw!.missingToken).toBe('?');
    expect(table.columns.find((c) => c.name === 'workclass')!.categories).toContain(null);
  });

  it('trains briefly on a slice and reports efficacy near the published real-data F1', async () => {
    const slice = { ...raw!, rows: raw!.rows.slice(0, 3000) };
    const r = await augmentTable(slice, { target: 'income', epochs: 2, rows: 500, seed: 1 });
    const e = r.report!.efficacy as { realF1: number; syntheticF1: number; positive: string };
    expect(e.positive).toBe('>50K');
    expect(e.realF1).toBeGreaterThan(0.5);
    expect(e.realF1).toBeLessThan(0.8);
    expect(r.report!.score).toBeGreaterThan(0.3);
    expect(parseCsv(r.csv).rows).toHaveLength(500);
    // Missing cells are written back with the file's own token. (A 2-epoch model draws only the modal
    // categories, so the token is checked on the originals a balance run appends.)
    const b = await augmentTable(slice, { target: 'income', epochs: 1, balance: true, seed: 1, report: false });
    expect(b.csv.split('\n').filter((l) => l.includes(',?,')).length).toBeGreaterThan(100);
    // Two trainings on 3,000 rows: about 45 s on a loaded 2-core machine, over the 60 s default with headroom.
  }, 180_000);
});
