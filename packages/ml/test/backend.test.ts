import { initTf, seededRandom } from '@hearth/ml';
import { describe, expect, it } from 'vitest';

describe('ml backend', () => {
  it('runs on the wasm backend', async () => {
    const tf = await initTf();
    expect(tf.getBackend()).toBe('wasm');
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(await y.data()).toEqual(new Float32Array([11]));
  });
  it('seeds reproducibly', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect([a(), a()]).toEqual([b(), b()]);
  });
});
