import type { ColumnInfo } from '../data/columns.js';
import type { Sample } from './fidelity.js';

/** How close synthetic rows come to real training rows. */
export interface Privacy {
  /** Share of synthetic rows identical (in every kept column) to some training row. */
  exactCopyShare: number;
  /** Same share for held-out real rows: the rate expected by chance on this data (duplicates occur naturally). */
  holdoutExactCopyShare?: number;
  /** Median distance from a synthetic row to its closest training row (Gower distance in [0, 1]). */
  medianDcr: number;
  /** Median distance from a held-out real row to its closest training row: the baseline to compare with. */
  holdoutMedianDcr?: number;
  /** Share of synthetic rows closer to a training row than the 5th percentile of held-out distances. */
  shareCloserThanHoldoutP5?: number;
  sampledRows: { synthetic: number; reference: number };
}

const MAX_QUERY = 1000;
const MAX_REFERENCE = 10_000;

/**
 * Distance to closest record (Gower: |a-b|/range for numbers, mismatch for categories, averaged)
 * on up to 1,000 synthetic rows against up to 10,000 training rows, and exact-copy shares.
 */
export function privacy(
  columns: ColumnInfo[],
  train: Sample,
  synth: Sample,
  holdout: Sample | undefined,
  rand: () => number,
): Privacy {
  const key = (s: Sample, i: number) => s.values.map((c) => c[i]).join('\u0001');
  const trainKeys = new Set<string>();
  for (let i = 0; i < train.rowCount; i++) trainKeys.add(key(train, i));
  const copyShare = (s: Sample) => {
    let copies = 0;
    for (let i = 0; i < s.rowCount; i++) if (trainKeys.has(key(s, i))) copies++;
    return copies / Math.max(1, s.rowCount);
  };
  const ranges = columns.map((c, j) => {
    if (c.kind === 'discrete') return 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of train.values[j]!) if (!Number.isNaN(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    return hi > lo ? hi - lo : 1;
  });
  const ref = pick(train.rowCount, MAX_REFERENCE, rand);
  const dcr = (s: Sample) => {
    const rows = pick(s.rowCount, MAX_QUERY, rand);
    return rows
      .map((i) => {
        let best = Number.POSITIVE_INFINITY;
        for (const r of ref) {
          let d = 0;
          for (let j = 0; j < columns.length && d < best; j++) {
            const a = s.values[j]![i]!;
            const b = train.values[j]![r]!;
            if (ranges[j] === 0) d += a === b ? 0 : 1;
            else if (Number.isNaN(a) || Number.isNaN(b)) d += Number.isNaN(a) && Number.isNaN(b) ? 0 : 1;
            else d += Math.min(1, Math.abs(a - b) / ranges[j]!);
          }
          if (d < best) best = d;
        }
        return best / columns.length;
      })
      .sort((a, b) => a - b);
  };
  const synthD = dcr(synth);
  const out: Privacy = {
    exactCopyShare: copyShare(synth),
    medianDcr: median(synthD),
    sampledRows: { synthetic: synthD.length, reference: ref.length },
  };
  if (holdout && holdout.rowCount > 0) {
    const holdD = dcr(holdout);
    const p5 = holdD[Math.floor(holdD.length * 0.05)]!;
    out.holdoutExactCopyShare = copyShare(holdout);
    out.holdoutMedianDcr = median(holdD);
    out.shareCloserThanHoldoutP5 = synthD.filter((d) => d < p5).length / synthD.length;
  }
  return out;
}

function pick(n: number, max: number, rand: () => number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= max) return all;
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(rand() * (n - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, max);
}

function median(sorted: number[]): number {
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
}
