import { writeFileSync } from 'node:fs';
import { Canvas, type Rgb, textWidth } from '@hearth/ml/image';

/** One point of a loss curve. */
export interface LossPoint {
  step: number;
  loss: number;
}

const TRAIN: Rgb = [31, 119, 180];
const VAL: Rgb = [255, 127, 14];
const AXIS: Rgb = [60, 60, 60];
const GRID: Rgb = [228, 228, 228];

/** Draws training (blue) and validation (orange) loss against step as a PNG with axes, ticks and a legend. */
export function writeLossCurve(path: string, train: LossPoint[], val: LossPoint[], width = 640, height = 360): void {
  const all = [...train, ...val];
  if (all.length === 0) throw new Error('no loss points to plot');
  const left = 56;
  const right = 16;
  const top = 30;
  const bottom = 40;
  const maxStep = Math.max(1, ...all.map((p) => p.step));
  const lo = Math.min(...all.map((p) => p.loss));
  const hi = Math.max(...all.map((p) => p.loss));
  const span = hi - lo || 1;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const x = (step: number) => left + (step / maxStep) * plotW;
  const y = (loss: number) => top + plotH - ((loss - lo) / span) * plotH;
  const c = new Canvas(width, height);
  for (let i = 0; i <= 4; i++) {
    const loss = lo + (span * i) / 4;
    c.line(left, y(loss), left + plotW, y(loss), GRID);
    const label = loss.toFixed(2);
    c.text(left - 6 - textWidth(label), y(loss) - 3, label, AXIS);
    const step = Math.round((maxStep * i) / 4);
    c.text(x(step) - textWidth(String(step)) / 2, top + plotH + 6, String(step), AXIS);
  }
  c.line(left, top, left, top + plotH, AXIS);
  c.line(left, top + plotH, left + plotW, top + plotH, AXIS);
  c.text(left + plotW / 2 - textWidth('step') / 2, height - 14, 'step', AXIS);
  c.text(8, 10, 'loss', AXIS);
  const plot = (points: LossPoint[], color: Rgb) => {
    for (let i = 1; i < points.length; i++)
      c.line(x(points[i - 1].step), y(points[i - 1].loss), x(points[i].step), y(points[i].loss), color);
    for (const p of points) c.fillRect(x(p.step) - 1, y(p.loss) - 1, 3, 3, color);
  };
  plot(train, TRAIN);
  plot(val, VAL);
  const legend = (at: number, label: string, color: Rgb) => {
    c.fillRect(at, 10, 10, 7, color);
    c.text(at + 14, 10, label, AXIS);
  };
  legend(width - right - 190, 'train', TRAIN);
  legend(width - right - 100, 'validation', VAL);
  writeFileSync(path, c.toPng());
}
