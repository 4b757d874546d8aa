import { initTf, tf } from '@hearth/ml';
import { describe, expect, it } from 'vitest';
import { sample } from '../src/diffusion/sampler.js';
import { cosineAlphaBar, ddimTimesteps } from '../src/diffusion/schedule.js';
import type { UNet } from '../src/model/unet.js';

describe('DDIM sampler', () => {
  it('recovers the data when the noise predictor is exact (one-image distribution)', async () => {
    await initTf();
    const target = Float32Array.from({ length: 2 * 4 * 4 }, (_, i) => Math.sin(i) * 0.8);
    const alphaBar = cosineAlphaBar();
    // The optimal noise prediction when every training image is `target`.
    const oracle = {
      config: { size: 4, channels: 2, maxTokens: 1 },
      predict: (x: tf.Tensor4D, t: number[]) => {
        const a = alphaBar[t[0]];
        const x0 = tf.tile(tf.tensor4d(target, [1, 4, 4, 2]), [x.shape[0], 1, 1, 1]);
        return tf.div(tf.sub(x, tf.mul(x0, Math.sqrt(a))), Math.sqrt(1 - a)) as tf.Tensor4D;
      },
    } as unknown as UNet;
    for (const steps of [1, 5, 20]) {
      const out = await sample(oracle, { tokens: new Int32Array(2), count: 2, steps, guidance: 3, seed: 4 });
      for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(target[i % target.length], 2);
    }
  });

  it('spaces DDIM timesteps from T-1 down to 0 and rejects bad counts', () => {
    expect(ddimTimesteps(5)).toEqual([999, 749, 500, 250, 0]);
    expect(ddimTimesteps(1)).toEqual([999]);
    expect(() => ddimTimesteps(0)).toThrow(/steps/);
  });
});
