import type { ColumnInfo } from '../data/columns.js';

/** Column-major values of a table with the same columns as the real data. */
export interface Sample {
  values: Float64Array[];
  rowCount: number;
}

/** One column's shape similarity: 1 - KS statistic (continuous) or 1 - total variation distance (discrete). */
export interface ColumnShape {
  column: string;
  metric: 'KSComplement' | 'TVComplement';
  score: number;
}

/** One pair's trend similarity, as SDMetrics computes it. */
export interface PairTrend {
  columns: [string, string];
  metric: 'CorrelationSimilarity' | 'ContingencySimilarity';
  score: number;
  real?: number;
  synthetic?: number;
}

const isNumeric = (c: ColumnInfo) => c.kind === 'continuous' || c.kind === 'datetime';

/** Per-column shape scores (SDMetrics' "Column Shapes" property). */
export function columnShapes(columns: ColumnInfo[], real: Sample, synth: Sample): ColumnShape[] {
  return columns.map((col, j) =>
    isNumeric(col)
      ? { column: col.name, metric: 'KSComplement', score: 1 - ksStatistic(real.values[j]!, synth.values[j]!) }
      : {
          column: col.name,
          metric: 'TVComplement',
          score:
            1 -
            totalVariation(
              frequencies(real.values[j]!, col.categories!.length),
              frequencies(synth.values[j]!, col.categories!.length),
            ),
        },
  );
}

/**
 * Pairwise trend scores (SDMetrics' "Column Pair Trends"): for two numeric columns
 * 1 - |Pearson_real - Pearson_synth| / 2; otherwise 1 - TVD of the joint contingency table, with
 * numeric columns cut into 10 equal-width bins over the real range.
 */
export function pairTrends(columns: ColumnInfo[], real: Sample, synth: Sample): PairTrend[] {
  const out: PairTrend[] = [];
  const bins = columns.map((c, j) => (isNumeric(c) ? binEdges(real.values[j]!) : undefined));
  const codes = (s: Sample, j: number) => (bins[j] ? binCodes(s.values[j]!, bins[j]!) : s.values[j]!);
  const sizes = columns.map((c) => (isNumeric(c) ? 11 : c.categories!.length));
  for (let a = 0; a < columns.length; a++) {
    for (let b = a + 1; b < columns.length; b++) {
      const names: [string, string] = [columns[a]!.name, columns[b]!.name];
      if (isNumeric(columns[a]!) && isNumeric(columns[b]!)) {
        const r = pearson(real.values[a]!, real.values[b]!);
        const s = pearson(synth.values[a]!, synth.values[b]!);
        out.push({
          columns: names,
          metric: 'CorrelationSimilarity',
          score: 1 - Math.abs(r - s) / 2,
          real: r,
          synthetic: s,
        });
      } else {
        const joint = (s: Sample) => frequencies2(codes(s, a), codes(s, b), sizes[a]!, sizes[b]!);
        out.push({
          columns: names,
          metric: 'ContingencySimilarity',
          score: 1 - totalVariation(joint(real), joint(synth)),
        });
      }
    }
  }
  return out;
}

/** Two-sample Kolmogorov-Smirnov statistic over non-missing values. */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  const x = a.filter((v) => !Number.isNaN(v)).sort();
  const y = b.filter((v) => !Number.isNaN(v)).sort();
  if (x.length === 0 || y.length === 0) return x.length === y.length ? 0 : 1;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

function frequencies(codes: Float64Array, size: number): Float64Array {
  const f = new Float64Array(size);
  for (const c of codes) f[c]! += 1 / codes.length;
  return f;
}

function frequencies2(a: ArrayLike<number>, b: ArrayLike<number>, sa: number, sb: number): Float64Array {
  const f = new Float64Array(sa * sb);
  for (let i = 0; i < a.length; i++) f[a[i]! * sb + b[i]!]! += 1 / a.length;
  return f;
}

/** Total variation distance between two discrete distributions. */
export function totalVariation(p: Float64Array, q: Float64Array): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i]! - q[i]!);
  return s / 2;
}

function binEdges(values: Float64Array): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi > lo ? hi : lo + 1];
}

/** Codes 0..9 for 10 equal-width bins (values outside the real range clamp), 10 for missing. */
function binCodes(values: Float64Array, [lo, hi]: [number, number]): Uint8Array {
  return Uint8Array.from(values, (v) =>
    Number.isNaN(v) ? 10 : Math.max(0, Math.min(9, Math.floor(((v - lo) / (hi - lo)) * 10))),
  );
}

/** Pearson correlation over rows where both values are present (0 when undefined). */
export function pearson(a: Float64Array, b: Float64Array): number {
  let n = 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) || Number.isNaN(b[i]!)) continue;
    n++;
    ma += a[i]!;
    mb += b[i]!;
  }
  if (n < 2) return 0;
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) || Number.isNaN(b[i]!)) continue;
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}
