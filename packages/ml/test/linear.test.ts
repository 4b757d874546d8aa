// biome-ignore-all lint/suspicious/noExplicitAny: tensors of several ranks pass through one generic test harness
import { gaussian, initTf, seededRandom } from '@hearth/ml';
import { batchMatmul, embedding, linear, matmul } from '@hearth/ml/ops/linear';
import { describe, expect, it } from 'vitest';

/** Runs `f` on a backend and returns its value and the gradients of sum(f * probe) for each input. */
async function gradsOn(backend: string, inputs: number[][][], shapes: number[][], f: (...xs: any[]) => any) {
  const tf = await initTf();
  const before = tf.getBackend();
  await tf.setBackend(backend);
  try {
    return tf.tidy(() => {
      const xs = inputs.map((v, i) => tf.tensor(v.flat(), shapes[i]));
      const value = f(...xs);
      const probe = tf.tensor(
        Array.from({ length: value.size }, (_, i) => Math.sin(i + 1)),
        value.shape,
      );
      const grads = tf.grads((...ys: any[]) => tf.sum(tf.mul(f(...ys), probe)))(xs);
      return {
        value: Array.from(value.dataSync() as Float32Array),
        grads: grads.map((g: any) => Array.from(g.dataSync() as Float32Array)),
      };
    });
  } finally {
    await tf.setBackend(before);
  }
}

function randomMatrix(rows: number, cols: number, seed: number): number[][] {
  const g = gaussian(seededRandom(seed));
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => g()));
}

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe('linear ops with custom gradients (wasm) match autograd (cpu)', () => {
  it('matmul and linear', async () => {
    const tf = await initTf();
    const a = randomMatrix(6, 5, 1);
    const b = randomMatrix(5, 7, 2);
    const ours = await gradsOn(
      'wasm',
      [a, b],
      [
        [6, 5],
        [5, 7],
      ],
      (x, w) => matmul(x, w),
    );
    const ref = await gradsOn(
      'cpu',
      [a, b],
      [
        [6, 5],
        [5, 7],
      ],
      (x, w) => tf.matMul(x, w),
    );
    expect(maxAbsDiff(ours.value, ref.value)).toBeLessThan(1e-4);
    expect(maxAbsDiff(ours.grads[0], ref.grads[0])).toBeLessThan(1e-4);
    expect(maxAbsDiff(ours.grads[1], ref.grads[1])).toBeLessThan(1e-4);
    const x3 = randomMatrix(6, 5, 3);
    const lin = await gradsOn(
      'wasm',
      [x3, b],
      [
        [2, 3, 5],
        [5, 7],
      ],
      (x, w) => linear(x, w),
    );
    const linRef = await gradsOn(
      'cpu',
      [x3, b],
      [
        [2, 3, 5],
        [5, 7],
      ],
      (x, w) => tf.reshape(tf.matMul(tf.reshape(x, [6, 5]), w), [2, 3, 7]),
    );
    expect(maxAbsDiff(lin.grads[0], linRef.grads[0])).toBeLessThan(1e-4);
    expect(maxAbsDiff(lin.grads[1], linRef.grads[1])).toBeLessThan(1e-4);
  });

  it('batchMatmul', async () => {
    const tf = await initTf();
    const a = randomMatrix(2 * 4, 3, 4);
    const b = randomMatrix(2 * 3, 5, 5);
    const shapes = [
      [2, 4, 3],
      [2, 3, 5],
    ];
    const ours = await gradsOn('wasm', [a, b], shapes, (x, w) => batchMatmul(x, w));
    const ref = await gradsOn('cpu', [a, b], shapes, (x, w) => tf.matMul(x, w));
    expect(maxAbsDiff(ours.value, ref.value)).toBeLessThan(1e-4);
    expect(maxAbsDiff(ours.grads[0], ref.grads[0])).toBeLessThan(1e-4);
    expect(maxAbsDiff(ours.grads[1], ref.grads[1])).toBeLessThan(1e-4);
  });

  it('embedding gradient accumulates repeated ids like gather autograd', async () => {
    const tf = await initTf();
    const table = randomMatrix(5, 4, 6);
    const ids = [
      [0, 3, 3],
      [4, 0, 1],
    ];
    const run = (backend: string, useOurs: boolean) =>
      gradsOn(backend, [table], [[5, 4]], (t) => {
        const idx = tf.tensor2d(ids, [2, 3], 'int32');
        return useOurs ? embedding(t, idx) : tf.gather(t, idx);
      });
    const ours = await run('wasm', true);
    const ref = await run('cpu', false);
    expect(maxAbsDiff(ours.value, ref.value)).toBe(0);
    expect(maxAbsDiff(ours.grads[0], ref.grads[0])).toBeLessThan(1e-5);
    expect(ours.grads[0].slice(8, 12).every((v) => v === 0)).toBe(true); // id 2 unused: zero gradient
  });

  it('rejects mismatched shapes with a clear error', async () => {
    const tf = await initTf();
    expect(() => matmul(tf.zeros([2, 3]) as any, tf.zeros([4, 2]) as any)).toThrow(/shape mismatch/);
    expect(() => embedding(tf.zeros([3, 2]) as any, tf.tensor1d([0.5]))).toThrow(/int32/);
  });
});
