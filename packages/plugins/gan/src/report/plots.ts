import { Canvas, type Rgb, textWidth } from '@hearth/ml/image';
import type { ColumnInfo } from '../data/columns.js';
import type { ColumnShape, Sample } from './fidelity.js';

const REAL: Rgb = [52, 101, 164];
const SYNTH: Rgb = [237, 125, 49];
const GRID: Rgb = [225, 225, 225];
const PANEL_W = 380;
const PANEL_H = 230;

/**
 * One PNG with a panel per column (up to 9): real vs synthetic histograms (20 bins over the real
 * range) for numbers, side-by-side bars of the 8 most frequent categories for discrete columns.
 */
export function distributionPlot(
  columns: ColumnInfo[],
  picked: number[],
  real: Sample,
  synth: Sample,
  shapes: ColumnShape[],
): Uint8Array {
  const perRow = Math.min(3, picked.length);
  const rows = Math.ceil(picked.length / perRow);
  const c = new Canvas(perRow * PANEL_W, rows * PANEL_H + 40);
  c.text(12, 12, 'Real vs synthetic distributions', [20, 20, 20], 2);
  legend(c, c.width - 230, 14);
  picked.forEach((j, k) => {
    const x0 = (k % perRow) * PANEL_W;
    const y0 = 40 + Math.floor(k / perRow) * PANEL_H;
    const col = columns[j]!;
    const score = shapes[j]!.score;
    c.text(
      x0 + 12,
      y0 + 8,
      `${trim(col.name, 36)}  ${shapes[j]!.metric === 'KSComplement' ? 'KS' : 'TV'} ${score.toFixed(2)}`,
    );
    const {
      labels,
      real: r,
      synth: s,
    } = col.kind === 'discrete'
      ? categoryBars(col, real.values[j]!, synth.values[j]!)
      : histogram(real.values[j]!, synth.values[j]!, col.kind === 'datetime' ? dateLabel : compact);
    bars(c, x0 + 40, y0 + 26, PANEL_W - 56, PANEL_H - 70, labels, r, s);
  });
  return c.toPng();
}

/** A horizontal bar per column: its shape score, with the overall scores in the title. */
export function scorePlot(
  shapes: ColumnShape[],
  overall: { score: number; shapes: number; trends: number },
): Uint8Array {
  const rowH = 16;
  const labelW = 150;
  const c = new Canvas(620, 70 + shapes.length * rowH);
  c.text(12, 12, `Quality ${(overall.score * 100).toFixed(1)}%`, [20, 20, 20], 2);
  c.text(
    12,
    36,
    `column shapes ${(overall.shapes * 100).toFixed(1)}%   pair trends ${(overall.trends * 100).toFixed(1)}%`,
  );
  const barW = c.width - labelW - 70;
  shapes.forEach((s, i) => {
    const y = 56 + i * rowH;
    c.text(12, y + 3, trim(s.column, 24));
    c.fillRect(labelW, y + 1, barW, rowH - 4, GRID);
    c.fillRect(
      labelW,
      y + 1,
      barW * s.score,
      rowH - 4,
      s.score >= 0.9 ? [84, 160, 84] : s.score >= 0.75 ? [230, 170, 40] : [200, 60, 60],
    );
    c.text(labelW + barW + 8, y + 3, s.score.toFixed(2));
  });
  return c.toPng();
}

function legend(c: Canvas, x: number, y: number): void {
  c.fillRect(x, y, 12, 12, REAL);
  c.text(x + 18, y + 3, 'real');
  c.fillRect(x + 70, y, 12, 12, SYNTH);
  c.text(x + 88, y + 3, 'synthetic');
}

function bars(c: Canvas, x: number, y: number, w: number, h: number, labels: string[], r: number[], s: number[]): void {
  const max = Math.max(...r, ...s, 1e-9);
  for (let g = 0; g <= 4; g++) {
    const gy = y + h - (h * g) / 4;
    c.fillRect(x, gy, w, 1, GRID);
    c.text(x - 34, gy - 3, `${Math.round((max * 100 * g) / 4)}%`, [120, 120, 120]);
  }
  const slot = w / r.length;
  r.forEach((rv, i) => {
    const bw = Math.max(1, slot * 0.4);
    c.fillRect(x + i * slot + slot * 0.1, y + h - (h * rv) / max, bw, (h * rv) / max, REAL);
    c.fillRect(x + i * slot + slot * 0.5, y + h - (h * s[i]!) / max, bw, (h * s[i]!) / max, SYNTH);
  });
  c.fillRect(x, y + h, w, 1, [80, 80, 80]);
  const every = Math.ceil((labels.length * textWidth('00000')) / w);
  labels.forEach((l, i) => {
    if (i % every !== 0) return;
    // Labels alternate between two lines, so each may use two slots' width.
    const maxChars = Math.max(3, Math.floor((2 * slot * every) / 6) - 1);
    c.text(x + i * slot + 1, y + h + 6 + ((i / every) % 2) * 10, trim(l, maxChars), [90, 90, 90]);
  });
}

function categoryBars(col: ColumnInfo, real: Float64Array, synth: Float64Array) {
  const k = Math.min(8, col.categories!.length);
  const freq = (v: Float64Array) => {
    const f = new Array(col.categories!.length).fill(0);
    for (const x of v) f[x] += 1 / v.length;
    return f.slice(0, k);
  };
  return { labels: col.categories!.slice(0, k).map((l) => l ?? 'missing'), real: freq(real), synth: freq(synth) };
}

function histogram(real: Float64Array, synth: Float64Array, label: (v: number) => string) {
  const present = real.filter((v) => !Number.isNaN(v));
  const lo = present.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const hi = present.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  const bins = 20;
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = (v: Float64Array) => {
    const f = new Array(bins).fill(0);
    const n = v.filter((x) => !Number.isNaN(x)).length || 1;
    for (const x of v) if (!Number.isNaN(x)) f[Math.max(0, Math.min(bins - 1, Math.floor((x - lo) / width)))] += 1 / n;
    return f;
  };
  const labels = Array.from({ length: bins }, (_, i) => label(lo + i * width));
  return { labels, real: counts(real), synth: counts(synth) };
}

function dateLabel(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${Math.round(v / 1e3)}K`;
  return a >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1);
}

function trim(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}.` : s;
}
