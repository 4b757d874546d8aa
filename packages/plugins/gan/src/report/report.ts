import { seededRandom } from '@hearth/ml';
import type { ColumnInfo } from '../data/columns.js';
import { type Efficacy, mlEfficacy } from './efficacy.js';
import { type ColumnShape, columnShapes, type PairTrend, pairTrends, type Sample } from './fidelity.js';
import { distributionPlot, scorePlot } from './plots.js';
import { type Privacy, privacy } from './privacy.js';

/** The quality report: fidelity (SDMetrics-style), machine-learning efficacy and privacy. */
export interface QualityReport {
  /** Mean of `columnShapes` and `pairTrends`, in [0, 1], as SDMetrics' quality score. */
  score: number;
  columnShapes: { score: number; columns: ColumnShape[] };
  pairTrends: { score: number; pairs: PairTrend[] };
  efficacy?: Efficacy | { skipped: string };
  privacy: Privacy;
  rows: { real: number; synthetic: number; holdout: number };
}

/** Plots that go with a report. */
export interface ReportPlots {
  distributions: Uint8Array;
  scores: Uint8Array;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 1);

/**
 * Scores synthetic rows against the real rows the model was trained on (`train`) and, where given,
 * real rows it never saw (`holdout`, used for efficacy and the privacy baseline).
 */
export function qualityReport(
  columns: ColumnInfo[],
  train: Sample,
  synth: Sample,
  options: { holdout?: Sample; target?: string; seed?: number } = {},
): QualityReport {
  const shapes = columnShapes(columns, train, synth);
  const pairs = pairTrends(columns, train, synth);
  const shapeScore = mean(shapes.map((s) => s.score));
  const pairScore = pairs.length ? mean(pairs.map((p) => p.score)) : shapeScore;
  const report: QualityReport = {
    score: (shapeScore + pairScore) / 2,
    columnShapes: { score: shapeScore, columns: shapes },
    pairTrends: { score: pairScore, pairs },
    privacy: privacy(columns, train, synth, options.holdout, seededRandom(options.seed ?? 0)),
    rows: { real: train.rowCount, synthetic: synth.rowCount, holdout: options.holdout?.rowCount ?? 0 },
  };
  if (options.target) {
    report.efficacy = options.holdout
      ? mlEfficacy(columns, options.target, train, synth, options.holdout)
      : { skipped: 'no held-out real rows (too few rows to hold some out)' };
  }
  return report;
}

/** Draws the distribution panels (target first, then columns in file order, 9 at most) and the score bars. */
export function reportPlots(
  columns: ColumnInfo[],
  train: Sample,
  synth: Sample,
  report: QualityReport,
  target?: string,
): ReportPlots {
  const order = columns.map((_, j) => j);
  const t = columns.findIndex((c) => c.name === target);
  const picked = (t >= 0 ? [t, ...order.filter((j) => j !== t)] : order).slice(0, 9);
  return {
    distributions: distributionPlot(columns, picked, train, synth, report.columnShapes.columns),
    scores: scorePlot(report.columnShapes.columns, {
      score: report.score,
      shapes: report.columnShapes.score,
      trends: report.pairTrends.score,
    }),
  };
}

/** A few markdown lines a person can read in chat. */
export function reportSummary(report: QualityReport): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const worst = [...report.columnShapes.columns].sort((a, b) => a.score - b.score).slice(0, 3);
  const lines = [
    `**Quality ${pct(report.score)}** (column shapes ${pct(report.columnShapes.score)}, pair trends ${pct(report.pairTrends.score)}; 100% = indistinguishable marginals and pairs)`,
    `Least faithful columns: ${worst.map((w) => `${w.column} ${pct(w.score)}`).join(', ')}`,
  ];
  const e = report.efficacy;
  if (e && 'realF1' in e) {
    const head = `ML efficacy (${e.metric === 'f1' ? `F1 of "${e.positive}"` : 'macro F1'} for \`${e.target}\`, tested on ${e.testRows} held-out real rows): trained on real ${e.realF1.toFixed(3)}, on synthetic ${e.syntheticF1.toFixed(3)}`;
    lines.push(
      e.ratio === undefined
        ? `${head}; not compared: the real baseline is too weak (${e.weakBaseline})`
        : `${head} (${pct(e.ratio)} of real)`,
    );
  } else if (e) {
    lines.push(`ML efficacy skipped: ${e.skipped}`);
  }
  const p = report.privacy;
  lines.push(
    `Privacy: ${pct(p.exactCopyShare)} of synthetic rows copy a training row exactly${p.holdoutExactCopyShare !== undefined ? ` (held-out real rows: ${pct(p.holdoutExactCopyShare)})` : ''}; median distance to the closest real row ${p.medianDcr.toFixed(3)}${p.holdoutMedianDcr !== undefined ? ` (held-out real rows: ${p.holdoutMedianDcr.toFixed(3)})` : ''}`,
  );
  return lines.join('\n');
}
