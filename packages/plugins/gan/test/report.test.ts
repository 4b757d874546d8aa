import { seededRandom } from '@hearth/ml';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../src/data/columns.js';
import { ksStatistic } from '../src/report/fidelity.js';
import { qualityReport, reportPlots } from '../src/report/report.js';

const rand = seededRandom(11);
const n = 600;
const columns: ColumnInfo[] = [
  { name: 'x', kind: 'continuous', reason: '', missingRate: 0, min: -5, max: 5 },
  { name: 'y', kind: 'continuous', reason: '', missingRate: 0, min: -10, max: 10 },
  { name: 'label', kind: 'discrete', reason: '', missingRate: 0, categories: ['no', 'yes'] },
];
function table(correlated: boolean) {
  const x = Float64Array.from({ length: n }, () => rand() * 2 - 1);
  const y = Float64Array.from(x, (v) => (correlated ? 2 * v : rand() * 4 - 2) + (rand() - 0.5) * 0.2);
  const label = Float64Array.from(x, (v) => (correlated ? (v > 0.3 ? 1 : 0) : rand() < 0.35 ? 1 : 0));
  return { values: [x, y, label], rowCount: n };
}

describe('quality report', () => {
  it('scores a copy of the data as perfect fidelity and flags exact copies', () => {
    const real = table(true);
    const r = qualityReport(columns, real, real);
    expect(r.score).toBeCloseTo(1, 6);
    expect(r.privacy.exactCopyShare).toBe(1);
    expect(r.privacy.medianDcr).toBe(0);
  });
  it('scores lost correlations lower on pair trends, and efficacy drops', () => {
    const real = table(true);
    const holdout = table(true);
    const good = qualityReport(columns, real, table(true), { holdout, target: 'label' });
    const bad = qualityReport(columns, real, table(false), { holdout, target: 'label' });
    expect(good.pairTrends.score).toBeGreaterThan(0.95);
    expect(bad.pairTrends.score).toBeLessThan(good.pairTrends.score - 0.15);
    const ge = good.efficacy as { realF1: number; syntheticF1: number };
    const be = bad.efficacy as { realF1: number; syntheticF1: number };
    expect(ge.realF1).toBeGreaterThan(0.9);
    expect(ge.syntheticF1).toBeGreaterThan(0.9);
    expect(be.syntheticF1).toBeLessThan(0.7);
    expect(good.privacy.exactCopyShare).toBe(0);
  });
  it('computes the two-sample KS statistic', () => {
    expect(ksStatistic(Float64Array.of(1, 2, 3, 4), Float64Array.of(3, 4, 5, 6))).toBeCloseTo(0.5);
    expect(ksStatistic(Float64Array.of(1, 2), Float64Array.of(1, 2))).toBe(0);
  });
  it('draws PNG plots', () => {
    const real = table(true);
    const r = qualityReport(columns, real, table(true));
    const plots = reportPlots(columns, real, table(true), r, 'label');
    const img = PNG.sync.read(Buffer.from(plots.distributions));
    expect(img.width).toBe(3 * 380);
    expect(PNG.sync.read(Buffer.from(plots.scores)).height).toBeGreaterThan(100);
  });
});
