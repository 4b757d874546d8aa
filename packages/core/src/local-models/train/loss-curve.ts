import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

/** One point of a loss curve. */
export interface LossPoint {
  step: number;
  loss: number;
}

/** Draws training (blue) and validation (orange) loss against step as a PNG file. */
export function writeLossCurve(path: string, train: LossPoint[], val: LossPoint[], width = 640, height = 360): void {
  const png = new PNG({ width, height });
  png.data.fill(255);
  const all = [...train, ...val];
  if (all.length === 0) throw new Error('no loss points to plot');
  const pad = 30;
  const maxStep = Math.max(1, ...all.map((p) => p.step));
  const lo = Math.min(...all.map((p) => p.loss));
  const hi = Math.max(...all.map((p) => p.loss));
  const span = hi - lo || 1;
  const x = (step: number) => pad + Math.round((step / maxStep) * (width - 2 * pad));
  const y = (loss: number) => height - pad - Math.round(((loss - lo) / span) * (height - 2 * pad));
  const set = (px: number, py: number, [r, g, b]: number[]) => {
    if (px < 0 || py < 0 || px >= width || py >= height) return;
    const i = (py * width + px) * 4;
    png.data[i] = r;
    png.data[i + 1] = g;
    png.data[i + 2] = b;
    png.data[i + 3] = 255;
  };
  const line = (x0: number, y0: number, x1: number, y1: number, color: number[]) => {
    const n = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let i = 0; i <= n; i++) set(Math.round(x0 + ((x1 - x0) * i) / n), Math.round(y0 + ((y1 - y0) * i) / n), color);
  };
  line(pad, height - pad, width - pad, height - pad, [0, 0, 0]);
  line(pad, pad, pad, height - pad, [0, 0, 0]);
  const plot = (points: LossPoint[], color: number[]) => {
    for (let i = 1; i < points.length; i++)
      line(x(points[i - 1].step), y(points[i - 1].loss), x(points[i].step), y(points[i].loss), color);
    for (const p of points) for (let d = -1; d <= 1; d++) set(x(p.step) + d, y(p.loss), color);
  };
  plot(train, [31, 119, 180]);
  plot(val, [255, 127, 14]);
  writeFileSync(path, PNG.sync.write(png));
}
