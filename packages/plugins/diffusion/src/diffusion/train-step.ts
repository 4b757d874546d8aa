/**
 * One DDPM training step: noise images to random timesteps, predict the noise, minimise the mean
 * squared error with Adam. Condition dropout (tokens replaced by padding) teaches the same network
 * the unconditional prediction that classifier-free guidance needs.
 */
import { gaussian, tf } from '@hearth/ml';
import type { UNet } from '../model/unet.js';
import { cosineAlphaBar, TRAIN_STEPS } from './schedule.js';

export interface Batch {
  /** `[count, size, size, channels]` in [-1, 1]. */
  images: Float32Array;
  tokens: Int32Array;
  count: number;
}

export class Trainer {
  readonly optimizer: tf.AdamOptimizer;
  private readonly alphaBar = cosineAlphaBar();
  private readonly normal: () => number;
  /** Exponential moving average of the weights, used for sampling and saved. */
  readonly ema = new Map<string, tf.Variable>();

  constructor(
    readonly model: UNet,
    private readonly rand: () => number,
    learningRate = 2e-3,
    readonly conditionDropout = 0.1,
    readonly emaDecay = 0.995,
  ) {
    this.optimizer = tf.train.adam(learningRate);
    this.normal = gaussian(rand);
    for (const [name, v] of model.params.vars) this.ema.set(name, tf.variable(v.clone(), false));
  }

  /** Runs one step and returns the loss. */
  async step(batch: Batch): Promise<number> {
    const { size, channels, maxTokens } = this.model.config;
    const n = batch.count;
    const pixels = size * size * channels;
    const t: number[] = [];
    const noisy = new Float32Array(n * pixels);
    const noise = new Float32Array(n * pixels);
    const tokens = batch.tokens.slice();
    for (let i = 0; i < n; i++) {
      const step = Math.floor(this.rand() * TRAIN_STEPS);
      t.push(step);
      const a = Math.sqrt(this.alphaBar[step]);
      const s = Math.sqrt(1 - this.alphaBar[step]);
      for (let j = i * pixels; j < (i + 1) * pixels; j++) {
        const e = this.normal();
        noise[j] = e;
        noisy[j] = a * batch.images[j] + s * e;
      }
      if (this.rand() < this.conditionDropout) tokens.fill(0, i * maxTokens, (i + 1) * maxTokens);
    }
    const lossTensor = tf.tidy(() => {
      const x = tf.tensor4d(noisy, [n, size, size, channels]);
      const target = tf.tensor4d(noise, [n, size, size, channels]);
      return this.optimizer.minimize(
        () => tf.mean(tf.square(tf.sub(this.model.predict(x, t, tokens), target))) as tf.Scalar,
        true,
        [...this.model.params.vars.values()],
      ) as tf.Scalar;
    });
    const loss = (await lossTensor.data())[0];
    lossTensor.dispose();
    tf.tidy(() => {
      for (const [name, v] of this.model.params.vars) {
        const e = this.ema.get(name)!;
        e.assign(tf.add(tf.mul(e, this.emaDecay), tf.mul(v, 1 - this.emaDecay)));
      }
    });
    return loss;
  }
}
