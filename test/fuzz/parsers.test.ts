import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../packages/plugins/gan/src/data/csv.js';
import { reportTable } from './lib.js';
import { fuzzConfig } from './targets/config.js';
import { fuzzCsv, fuzzCsvRoundTrip } from './targets/csv.js';
import { fuzzLoaders } from './targets/loaders.js';

// A fixed-seed share of what `pnpm bench fuzz` runs (10,000+ cases per target).
const SEED = 20_261_203;

describe('fuzz: parsers (fixed seed)', () => {
  it('CSV reader: a consistent table or a specific error, never a crash or a hang', async () => {
    const r = await fuzzCsv({ runs: 400, seed: SEED });
    expect(r.failure, reportTable([r])).toBeUndefined();
    expect(r.cases).toBe(400);
    expect(r.outcomes.ok).toBeGreaterThan(20); // the generator reaches real tables, not only refusals
  });

  it('CSV reader: correctly quoted tables read back cell for cell', async () => {
    const r = await fuzzCsvRoundTrip({ runs: 300, seed: SEED });
    expect(r.failure, reportTable([r])).toBeUndefined();
  });

  // Found by fuzzing: the delimiter was guessed from the first physical line, so a quoted header cell
  // holding a line break and a ";" made valid TSV unreadable; it is now guessed from the first record.
  it('CSV reader: a quoted header cell with a line break and another delimiter inside', () => {
    expect(parseCsv('x\t";\ny"\n1\t2').columns).toEqual(['x', ';\ny']);
  });

  it('document loaders: documents with text or a SkipError with its reason', async () => {
    const r = await fuzzLoaders({ runs: 300, seed: SEED });
    expect(r.failure, reportTable([r])).toBeUndefined();
    for (const kind of ['md', 'html', 'json', 'csv', 'pdf']) expect(r.outcomes[`ok ${kind}`], kind).toBeGreaterThan(0);
    expect(r.outcomes['refused: parse error']).toBeGreaterThan(0);
  });

  it('config loader: a valid config or an error naming the key, no secret echoed, no prototype pollution', async () => {
    const r = await fuzzConfig({ runs: 300, seed: SEED });
    expect(r.failure, reportTable([r])).toBeUndefined();
    expect(r.outcomes.ok).toBeGreaterThan(0);
    expect(r.outcomes['refused: invalid key']).toBeGreaterThan(0);
  });
});
