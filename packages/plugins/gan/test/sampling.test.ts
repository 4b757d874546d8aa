import { initTf, seededRandom } from '@hearth/ml';
import { beforeAll, describe, expect, it } from 'vitest';
import { inferTable, parseCsv } from '../src/index.js';
import { Tvae } from '../src/models/tvae.js';
import { columnShapes } from '../src/report/fidelity.js';
import { fitMixture } from '../src/transform/gmm.js';
import { DataTransformer } from '../src/transform/transformer.js';

// A capital-gain-like column: 90 % exactly 0, the rest spread over thousands.
function spiky(n: number, rand: () => number): number[] {
  return Array.from({ length: n }, () => (rand() < 0.9 ? 0 : 2000 + Math.floor(rand() * 8000)));
}

beforeAll(async () => {
  await initTf();
});

describe('point modes (spikes of one repeated value)', () => {
  it('marks a spike as one point mode and decodes it to its value exactly', () => {
    const rand = seededRandom(1);
    const xs = spiky(3000, rand);
    const mix = fitMixture(xs, seededRandom(2));
    const points = mix.means.filter((_, k) => mix.points![k]);
    // Before: the 0 spike was split into two identical modes, decoded as 0 +- 4 sigma of noise.
    expect(points).toEqual([0]);
    const zeroMode = mix.means.indexOf(0);
    expect(mix.weights[zeroMode]).toBeGreaterThan(0.85);

    const table = { columns: [{ name: 'gain', kind: 'continuous' as const, reason: '', missingRate: 0 }], rowCount: 3 };
    const tr = new DataTransformer({ ...table, values: [Float64Array.from(xs)], rowCount: xs.length }, seededRandom(3));
    // A scalar far off the mode's centre, as a noisy decoder produces: a point mode ignores it.
    const row = new Float32Array(tr.dim);
    row[0] = 0.8;
    row[1 + zeroMode] = 5;
    const out = tr.decode(row, 1, seededRandom(4), { alphaNoise: () => 0.3 });
    expect(out[0]![0]).toBe(0);
  });

  it('keeps ordinary Gaussian modes when point modes are off', () => {
    const mix = fitMixture(spiky(3000, seededRandom(1)), seededRandom(2), 10, false);
    expect(mix.points).toBeUndefined();
  });
});

describe('sampling temperature', () => {
  const csv = ['plan,spend', ...Array.from({ length: 100 }, (_, i) => `${i % 5 ? 'basic' : 'pro'},${10 + (i % 37)}`)];
  const table = inferTable(parseCsv(csv.join('\n')));
  const tr = new DataTransformer(table, seededRandom(1));
  // Logits 80 % / 20 % for the two plans in every row.
  const n = 4000;
  const data = new Float32Array(n * tr.dim);
  const plan = tr.spans.find((s) => s.role === 'category')!;
  for (let i = 0; i < n; i++) {
    data[i * tr.dim + plan.start] = Math.log(0.8);
    data[i * tr.dim + plan.start + 1] = Math.log(0.2);
  }
  const share = (v: Float64Array) => v.filter((c) => c === 1).length / v.length;

  it('arg-max (temperature 0) always takes the likeliest category', () => {
    expect(share(tr.decode(data, n, seededRandom(2))[plan.column]!)).toBe(0);
  });

  it('temperature 1 draws categories at the decoder probabilities', () => {
    expect(share(tr.decode(data, n, seededRandom(2), { temperature: 1 })[plan.column]!)).toBeCloseTo(0.2, 1);
  });
});

describe('TVAE training and sampling', () => {
  const rand = seededRandom(7);
  const rows = Array.from({ length: 400 }, () => {
    const tier = ['a', 'b', 'c', 'd', 'e', 'f'][Math.floor(rand() ** 2 * 6)]!;
    return `${tier},${spiky(1, rand)[0]},${20 + Math.floor(rand() * 50)}`;
  });
  const table = inferTable(parseCsv(['tier,gain,age', ...rows].join('\n')), { tier: 'discrete' });
  const tr = new DataTransformer(table, seededRandom(1));
  const encoded = tr.encode(table.values, table.rowCount, seededRandom(2));

  it('the fused block cross-entropy trains to the same losses as one slice per block', async () => {
    const losses = async (fusedLoss: boolean) => {
      const model = new Tvae(tr, 3, { fusedLoss });
      const out: number[] = [];
      await model.fit(encoded, table.rowCount, {
        epochs: 3,
        batchSize: 100,
        seed: 3,
        patience: 0,
        onEpoch: (r) => out.push(r.losses.loss!),
      });
      model.dispose();
      return out;
    };
    const fused = await losses(true);
    const sliced = await losses(false);
    expect(fused).toHaveLength(3);
    fused.forEach((l, i) => {
      expect(l).toBeCloseTo(sliced[i]!, 3);
    });
  });

  it('the default sampling keeps the marginals of a briefly trained model', async () => {
    const model = new Tvae(tr, 3);
    await model.fit(encoded, table.rowCount, { epochs: 20, batchSize: 100, seed: 3, patience: 0 });
    const score = (temperature: number) => {
      model.config.temperature = temperature;
      const synth = model.sampleNear(table.rowCount, seededRandom(4), [...Array(table.rowCount).keys()]);
      const shapes = columnShapes(table.columns, table, { values: synth, rowCount: table.rowCount });
      return Object.fromEntries(shapes.map((s) => [s.column, s.score]));
    };
    const sampled = score(1);
    const argmax = score(0);
    model.dispose();
    // Rare tiers survive sampling; the spike at 0 is written as exact zeros.
    expect(sampled.tier).toBeGreaterThan(0.9);
    expect(sampled.tier).toBeGreaterThan(argmax.tier!);
    expect(sampled.gain).toBeGreaterThan(0.9);
  });
});
