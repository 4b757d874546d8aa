import { gaussian, seededRandom, tf } from '@hearth/ml';
import { conv2d, matMul } from '@hearth/ml/ops/conv';
import { describe, expect, it } from 'vitest';

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const g = gaussian(seededRandom(seed));
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, g), shape);
}

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  return (await tf.max(tf.abs(tf.sub(a, b))).data())[0];
}

// Checked on the pure-JS cpu backend, whose autograd has every conv kernel, as the reference.
describe('conv2d with custom gradients (cpu backend reference)', () => {
  for (const [k, inC, outC] of [
    [3, 3, 5],
    [5, 2, 4],
    [1, 4, 6],
  ] as const) {
    it(`matches tf.conv2d value and gradients for a ${k}x${k} kernel, ${inC}->${outC} channels`, async () => {
      await tf.setBackend('cpu');
      const x = randomTensor([2, 6, 7, inC], 1) as tf.Tensor4D;
      const w = randomTensor([k, k, inC, outC], 2) as tf.Tensor4D;
      const up = randomTensor([2, 6, 7, outC], 3);
      const loss = (f: typeof conv2d) => (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), up));
      const reference = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, 1, 'same');
      expect(await maxDiff(conv2d(x, w), reference(x, w))).toBeLessThan(1e-4);
      const [gx, gw] = tf.grads(loss(conv2d))([x, w]);
      const [rx, rw] = tf.grads(loss(reference))([x, w]);
      expect(await maxDiff(gx, rx)).toBeLessThan(1e-3);
      expect(await maxDiff(gw, rw)).toBeLessThan(1e-3);
      expect((await tf.max(tf.abs(rw)).data())[0]).toBeGreaterThan(0.1);
    });
  }

  it('matMul gradients match autograd', async () => {
    await tf.setBackend('cpu');
    const x = randomTensor([5, 3], 4) as tf.Tensor2D;
    const w = randomTensor([3, 4], 5) as tf.Tensor2D;
    const f = (m: typeof matMul) => (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.square(m(a as tf.Tensor2D, b as tf.Tensor2D)));
    const [gx, gw] = tf.grads(f(matMul))([x, w]);
    const [rx, rw] = tf.grads(f((a, b) => tf.matMul(a, b)))([x, w]);
    expect(await maxDiff(gx, rx)).toBeLessThan(1e-3);
    expect(await maxDiff(gw, rw)).toBeLessThan(1e-3);
  });

  it('rejects even kernels and channel mismatches with a clear error', () => {
    expect(() => conv2d(tf.zeros([1, 4, 4, 2]) as tf.Tensor4D, tf.zeros([2, 2, 2, 1]) as tf.Tensor4D)).toThrow(/odd/);
    expect(() => conv2d(tf.zeros([1, 4, 4, 3]) as tf.Tensor4D, tf.zeros([3, 3, 2, 1]) as tf.Tensor4D)).toThrow(
      /channels/,
    );
  });
});
