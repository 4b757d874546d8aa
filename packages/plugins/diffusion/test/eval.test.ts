import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDigits } from '../src/data/digits.js';
import { digitSplit, evaluate } from '../src/eval/evaluate.js';
import { frechetDistance, symmetricPower } from '../src/eval/frechet.js';
import { train } from '../src/train.js';

describe("the judge's digit split", () => {
  it('trains and holds out every digit in near-equal shares, without overlap', () => {
    const set = loadDigits();
    const { train, held } = digitSplit(set.count);
    expect(train.length + held.length).toBe(set.count);
    expect(new Set([...train, ...held]).size).toBe(set.count);
    for (const part of [train, held]) {
      const counts = Array(10).fill(0);
      for (const i of part) counts[set.labels[i]!]++;
      expect(Math.min(...counts) / Math.max(...counts)).toBeGreaterThan(0.7);
    }
  });
});

describe('Fréchet distance', () => {
  it('takes symmetric square roots', () => {
    const m = Float64Array.from([4, 1, 0, 1, 3, 0.5, 0, 0.5, 2]);
    const r = symmetricPower(m, 3, 0.5);
    const back = new Float64Array(9);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) back[i * 3 + j] += r[i * 3 + k] * r[k * 3 + j];
    back.forEach((v, i) => expect(v).toBeCloseTo(m[i], 6));
  });
  it('is ~0 for one set and grows with a mean shift', () => {
    const a = Float32Array.from({ length: 400 }, (_, i) => Math.sin(i * 1.3) + (i % 4));
    const shifted = a.map((v, i) => (i % 4 === 0 ? v + 2 : v));
    expect(frechetDistance(a, a, 4)).toBeLessThan(1e-6);
    expect(frechetDistance(a, shifted, 4)).toBeCloseTo(4, 3);
  });
});

describe('quality evaluation', () => {
  it('reports recognised shares and Fréchet distances for a (tiny) trained model', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hearth-diffusion-eval-'));
    await train({
      dataset: 'scenes',
      steps: 2,
      batch: 4,
      seed: 1,
      learningRate: 1e-3,
      out: join(dir, 'scenes'),
      checkpointEvery: 2,
      config: { base: 8, embedDim: 16, groups: 4 },
      gridColumns: 1,
      gridSteps: 1,
    });
    const report = await evaluate({
      dataset: 'scenes',
      weightsDir: dir,
      samples: 16,
      steps: 2,
      guidance: 2,
      seed: 1,
      classifierSteps: 3,
    });
    expect(report.recognised).toBeGreaterThanOrEqual(0);
    expect(report.recognised).toBeLessThanOrEqual(1);
    expect(report.frechet).toBeGreaterThan(0);
    expect(Number.isFinite(report.frechetRealVsReal)).toBe(true);
  });
});
