import type { ColumnInfo } from '../data/columns.js';
import type { Sample } from './fidelity.js';

/** Machine-learning efficacy: the same classifier trained on real and on synthetic rows, tested on held-out real rows. */
export interface Efficacy {
  target: string;
  classifier: string;
  /** Binary targets: F1 of `positive`; more classes: macro F1. */
  metric: 'f1' | 'macro_f1';
  positive?: string;
  realF1: number;
  syntheticF1: number;
  /** syntheticF1 / realF1; absent when the real baseline is too weak to compare against. */
  ratio?: number;
  /** Why synthetic and real scores are not compared (a real F1 near chance, or too few positive test rows). */
  weakBaseline?: string;
  trainRows: { real: number; synthetic: number };
  testRows: number;
}

/**
 * A one-vs-rest L2 logistic regression on standardised numbers and one-hot categories, trained
 * with full-batch Adam. Small and deterministic, so the real-vs-synthetic comparison is fair.
 */
class Logistic {
  private weights: Float64Array[] = [];
  constructor(
    private readonly features: FeatureMap,
    private readonly classes: number,
  ) {}

  fit(x: Float64Array[], y: Float64Array, iterations = 300): void {
    const d = this.features.dim;
    const k = this.classes === 2 ? 1 : this.classes;
    this.weights = [];
    for (let c = 0; c < k; c++) {
      const target = this.classes === 2 ? 1 : c;
      const w = new Float64Array(d + 1);
      const m = new Float64Array(d + 1);
      const v = new Float64Array(d + 1);
      const g = new Float64Array(d + 1);
      for (let t = 1; t <= iterations; t++) {
        g.fill(0);
        for (let i = 0; i < x.length; i++) {
          const row = x[i]!;
          let z = w[d]!;
          for (let f = 0; f < d; f++) z += w[f]! * row[f]!;
          const err = 1 / (1 + Math.exp(-z)) - (y[i] === target ? 1 : 0);
          for (let f = 0; f < d; f++) if (row[f] !== 0) g[f]! += err * row[f]!;
          g[d]! += err;
        }
        for (let f = 0; f <= d; f++) {
          const grad = g[f]! / x.length + (f < d ? 1e-4 * w[f]! : 0);
          m[f] = 0.9 * m[f]! + 0.1 * grad;
          v[f] = 0.999 * v[f]! + 0.001 * grad * grad;
          w[f]! -= (0.05 * (m[f]! / (1 - 0.9 ** t))) / (Math.sqrt(v[f]! / (1 - 0.999 ** t)) + 1e-8);
        }
      }
      this.weights.push(w);
    }
  }

  predict(row: Float64Array): number {
    const d = this.features.dim;
    const scores = this.weights.map((w) => {
      let z = w[d]!;
      for (let f = 0; f < d; f++) z += w[f]! * row[f]!;
      return z;
    });
    if (this.classes === 2) return scores[0]! > 0 ? 1 : 0;
    return scores.indexOf(Math.max(...scores));
  }
}

/** Feature layout learned from the real training rows: z-scored numbers (missing -> 0), one-hot categories. */
class FeatureMap {
  readonly dim: number;
  private readonly parts: { j: number; offset: number; mean?: number; std?: number; size?: number }[] = [];
  constructor(columns: ColumnInfo[], targetIndex: number, real: Sample) {
    let at = 0;
    columns.forEach((c, j) => {
      if (j === targetIndex) return;
      if (c.kind === 'discrete') {
        this.parts.push({ j, offset: at, size: c.categories!.length });
        at += c.categories!.length;
      } else {
        const vals = real.values[j]!.filter((v) => !Number.isNaN(v));
        const mean = vals.reduce((a, b) => a + b, 0) / Math.max(1, vals.length);
        const std = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, vals.length)) || 1;
        this.parts.push({ j, offset: at, mean, std });
        at += 1;
      }
    });
    this.dim = at;
  }
  rows(s: Sample): Float64Array[] {
    const out: Float64Array[] = [];
    for (let i = 0; i < s.rowCount; i++) {
      const row = new Float64Array(this.dim);
      for (const p of this.parts) {
        const v = s.values[p.j]![i]!;
        if (p.size !== undefined) row[p.offset + v] = 1;
        else row[p.offset] = Number.isNaN(v) ? 0 : Math.max(-5, Math.min(5, (v - p.mean!) / p.std!));
      }
      out.push(row);
    }
    return out;
  }
}

/**
 * Trains the classifier once on `realTrain` and once on `synthetic`, and scores both on `test`.
 * Returns undefined (with a reason) when the target is not a discrete column with 2-20 classes.
 */
export function mlEfficacy(
  columns: ColumnInfo[],
  target: string,
  realTrain: Sample,
  synthetic: Sample,
  test: Sample,
): Efficacy | { skipped: string } {
  const t = columns.findIndex((c) => c.name === target);
  const col = columns[t];
  if (!col) return { skipped: `target "${target}" is not a modelled column` };
  if (col.kind !== 'discrete')
    return { skipped: `target "${target}" is not discrete, so there is no classifier to train` };
  const k = col.categories!.length;
  if (k < 2 || k > 20) return { skipped: `target "${target}" has ${k} classes; efficacy needs 2-20` };
  if (test.rowCount < 10) return { skipped: 'fewer than 10 held-out rows' };
  const features = new FeatureMap(columns, t, realTrain);
  const testX = features.rows(test);
  const positive = k === 2 ? minorityClass(realTrain.values[t]!) : undefined;
  const score = (train: Sample) => {
    // Relabel so class 1 is the positive (minority) class for binary targets.
    const y = Float64Array.from(train.values[t]!, (v) => (positive === undefined ? v : v === positive ? 1 : 0));
    const model = new Logistic(features, k);
    model.fit(features.rows(train), y);
    const truth = Array.from(test.values[t]!, (v) => (positive === undefined ? v : v === positive ? 1 : 0));
    const pred = testX.map((r) => model.predict(r));
    return positive === undefined ? macroF1(truth, pred, k) : f1(truth, pred, 1);
  };
  const realF1 = score(realTrain);
  const syntheticF1 = score(synthetic);
  const weakBaseline = baselineProblem(realF1, test.values[t]!, positive, col.categories!);
  return {
    target,
    classifier: 'logistic regression (one-vs-rest, L2 1e-4, 300 full-batch Adam steps)',
    metric: k === 2 ? 'f1' : 'macro_f1',
    positive: positive === undefined ? undefined : String(col.categories![positive]),
    realF1,
    syntheticF1,
    ratio: weakBaseline ? undefined : syntheticF1 / realF1,
    weakBaseline,
    trainRows: { real: realTrain.rowCount, synthetic: synthetic.rowCount },
    testRows: test.rowCount,
  };
}

/** A real-data F1 below this is too close to chance for a ratio to mean anything. */
export const MIN_BASELINE_F1 = 0.3;
/** Fewer positive held-out rows than this make F1 too noisy to compare. */
const MIN_POSITIVES = 5;

function baselineProblem(
  realF1: number,
  truth: Float64Array,
  positive: number | undefined,
  categories: (string | null)[],
): string | undefined {
  if (positive !== undefined) {
    const positives = truth.reduce((a, v) => a + (v === positive ? 1 : 0), 0);
    if (positives < MIN_POSITIVES) {
      return `only ${positives} of the ${truth.length} held-out rows have "${categories[positive]}"`;
    }
  }
  if (realF1 < MIN_BASELINE_F1) {
    return `a classifier trained on the real rows scores only ${realF1.toFixed(3)} (below ${MIN_BASELINE_F1}): the other columns barely predict the target at this size`;
  }
  return undefined;
}

function minorityClass(codes: Float64Array): number {
  const counts = new Map<number, number>();
  for (const c of codes) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts].sort((a, b) => a[1] - b[1])[0]![0];
}

/** F1 of one class. */
export function f1(truth: number[], pred: number[], cls: number): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  truth.forEach((t, i) => {
    if (pred[i] === cls && t === cls) tp++;
    else if (pred[i] === cls) fp++;
    else if (t === cls) fn++;
  });
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

function macroF1(truth: number[], pred: number[], k: number): number {
  let s = 0;
  for (let c = 0; c < k; c++) s += f1(truth, pred, c);
  return s / k;
}
