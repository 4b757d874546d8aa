import { readFileSync } from 'node:fs';
import { seededRandom } from '@hearth/ml';
import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../src/data/columns.js';
import { syntheticIds } from '../src/data/ids.js';
import { augmentCsv, parseCsv } from '../src/index.js';
import { EarlyStop, MIN_STEPS } from '../src/models/stopping.js';
import { mlEfficacy } from '../src/report/efficacy.js';
import { qualityReport, reportSummary } from '../src/report/report.js';

// A new user's table: 300 customers, 19.7 % churn = yes, an id column (test/fixtures, seeded).
const customers = readFileSync(new URL('./fixtures/customers.csv', import.meta.url), 'utf8');
const real = parseCsv(customers);
const churn = real.columns.indexOf('churn');
const count = (rows: (string | null)[][], v: string) => rows.filter((r) => r[churn] === v).length;

describe('small tables', () => {
  it('trains every requested epoch: early stopping waits for its minimum budget', async () => {
    // Before: the first epoch never counted as an improvement, so patience stopped TVAE after 10 epochs.
    const r = await augmentCsv(customers, { epochs: 15, report: false });
    expect(r.training.epochs).toBe(15);
    expect(r.training.stoppedEarly).toBe(false);
    expect(r.summary).toMatch(/TVAE trained 15 epochs/);
    expect(r.summary).not.toMatch(/stopped/);
  });

  it('early stopping counts the first loss as the best, and patience cannot stop before the minimum steps', () => {
    // 5 steps an epoch (a 240-row table): patience waits MIN_STEPS / 5 epochs.
    const stop = new EarlyStop(1000, 5, 10);
    expect(stop.update(1, 12.5).improved).toBe(true);
    expect(stop.minEpochs).toBe(MIN_STEPS / 5);
    let stoppedAt = 0;
    for (let e = 2; e <= 1000 && !stoppedAt; e++) if (stop.update(e, 13).stop) stoppedAt = e;
    expect(stoppedAt).toBe(MIN_STEPS / 5);
    expect(stop.reason).toBe('patience');
    // Reaching the last epoch is not an early stop.
    const full = new EarlyStop(3, 5, 1);
    full.update(1, 1);
    full.update(2, 2);
    expect(full.update(3, 3).stop).toBe(true);
    expect(full.reason).toBeUndefined();
    // On a big table the minimum is a few epochs, then patience applies.
    const big = new EarlyStop(300, 500, 10);
    big.update(1, 5);
    let bigStop = 0;
    for (let e = 2; e <= 300 && !bigStop; e++) if (big.update(e, 6).stop) bigStop = e;
    expect(bigStop).toBe(11);
  });

  it('keeps the target class rates of the real rows in a plain run', async () => {
    const r = await augmentCsv(customers, { target: 'churn', epochs: 5, report: false, seed: 3 });
    const out = parseCsv(r.csv).rows;
    expect(out).toHaveLength(300);
    // Without a report every row trains; its "yes" count is kept to the row.
    expect(count(out, 'yes')).toBe(count(real.rows, 'yes'));
  });

  it('balances with the default TVAE even when the model barely learned the minority class', async () => {
    // Before: "Only 0 of 184 generated rows had churn = yes after 201000 tries".
    const r = await augmentCsv(customers, { target: 'churn', balance: true, epochs: 3, report: false });
    const out = parseCsv(r.csv).rows;
    expect(count(out, 'yes')).toBe(count(out, 'no'));
    expect(out.length).toBe(300 + r.syntheticRows);
    expect(r.summary).toMatch(/yes: 241, no: 241/);
  });

  it('writes exactly --rows rows with CTGAN and balance, and regenerates the id column as new unique ids', async () => {
    // Before: 484 rows (rows ignored under balance) and customer_id dropped.
    const r = await augmentCsv(customers, {
      model: 'ctgan',
      target: 'churn',
      balance: true,
      rows: 500,
      epochs: 2,
      report: false,
    });
    const out = parseCsv(r.csv);
    expect(out.rows).toHaveLength(500);
    expect(r.outputRows).toBe(500);
    expect(out.columns).toEqual(real.columns);
    expect(count(out.rows, 'yes')).toBe(250);
    expect(count(out.rows, 'no')).toBe(250);
    const ids = out.rows.map((x) => x[0]);
    expect(new Set(ids).size).toBe(500);
    expect(ids.slice(0, 300)).toEqual(real.rows.map((x) => x[0]));
    expect(ids.slice(300).every((id) => /^C\d{5}$/.test(id!))).toBe(true);
  });

  it('refuses a balance row count that does not cover the original rows', async () => {
    await expect(augmentCsv(customers, { target: 'churn', balance: true, rows: 200, epochs: 1 })).rejects.toThrow(
      /counts the 300 original rows.*more than 300/,
    );
  });
});

describe('synthetic ids', () => {
  it('continues integers, keeps prefixes and padding, and never repeats a real id', () => {
    expect(syntheticIds(['3', '1', '2'], 2)).toEqual(['4', '5']);
    expect(syntheticIds(['C10001', 'C10007'], 2)).toEqual(['C10008', 'C10009']);
    expect(syntheticIds(['u-007', 'u-010'], 1)).toEqual(['u-011']);
    expect(syntheticIds(['ab', 'cd'], 2)).toEqual(['syn-1', 'syn-2']);
    expect(syntheticIds(['syn-1', 'x'], 1)).toEqual(['syn-2']);
    expect(syntheticIds([null, null], 2)).toEqual([null, null]);
  });
});

describe('efficacy with a weak real baseline', () => {
  it('does not print a ratio when the classifier on real rows is near chance', () => {
    // Before: "on synthetic 0.286 (0.0% of real)" when the real F1 was 0.
    const rand = seededRandom(4);
    const columns: ColumnInfo[] = [
      { name: 'x', kind: 'continuous', reason: '', missingRate: 0, min: 0, max: 1 },
      { name: 'label', kind: 'discrete', reason: '', missingRate: 0, categories: ['no', 'yes'] },
    ];
    const noise = (n: number) => ({
      values: [Float64Array.from({ length: n }, rand), Float64Array.from({ length: n }, () => (rand() < 0.2 ? 1 : 0))],
      rowCount: n,
    });
    const train = noise(240);
    const e = mlEfficacy(columns, 'label', train, noise(240), noise(60));
    expect('realF1' in e && e.realF1).toBeLessThan(0.3);
    expect('ratio' in e && e.ratio).toBeUndefined();
    const report = qualityReport(columns, train, noise(240), { holdout: noise(60), target: 'label' });
    const line = reportSummary(report)
      .split('\n')
      .find((l) => l.startsWith('ML efficacy'))!;
    expect(line).toMatch(/not compared: the real baseline is too weak/);
    expect(line).not.toMatch(/% of real/);
  });
});
