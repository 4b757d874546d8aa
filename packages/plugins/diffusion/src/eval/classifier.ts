/**
 * An independent judge for generated images: a small CNN trained only on real data (MNIST digits,
 * or freshly rendered scenes) that labels images and exposes its penultimate features for the
 * Fréchet distance.
 */
import { tf } from '@hearth/ml';
import { conv, defineConv, defineDense, dense, downsample, silu } from '../model/layers.js';
import { Params } from '../model/params.js';

/** One classification head: a name and its number of classes. */
export interface Head {
  name: string;
  classes: number;
}

export interface ClassifierConfig {
  size: number;
  channels: number;
  heads: Head[];
}

export const FEATURES = 64;

export class Classifier {
  readonly params: Params;

  constructor(
    readonly config: ClassifierConfig,
    seed: number,
  ) {
    const p = new Params(seed);
    this.params = p;
    defineConv(p, 'c1', 3, config.channels, 16);
    defineConv(p, 'c2', 3, 16, 32);
    defineConv(p, 'c3', 3, 32, 32);
    defineDense(p, 'fc', 32 * (config.size / 4) ** 2, FEATURES);
    for (const h of config.heads) defineDense(p, `head.${h.name}`, FEATURES, h.classes);
  }

  /** Penultimate features, `[batch, 64]`. */
  features(x: tf.Tensor4D): tf.Tensor2D {
    const p = this.params;
    let h = silu(conv(p, 'c1', x)) as tf.Tensor4D;
    h = silu(conv(p, 'c2', downsample(h))) as tf.Tensor4D;
    h = silu(conv(p, 'c3', downsample(h))) as tf.Tensor4D;
    return silu(dense(p, 'fc', h.reshape([x.shape[0], -1]) as tf.Tensor2D)) as tf.Tensor2D;
  }

  /** Logits per head. */
  logits(x: tf.Tensor4D): tf.Tensor2D[] {
    const f = this.features(x);
    return this.config.heads.map((h) => dense(this.params, `head.${h.name}`, f));
  }

  /** Trains on batches from `next` (images and one label array per head). */
  async fit(
    next: () => { images: Float32Array; labels: Int32Array[]; count: number },
    steps: number,
    learningRate = 2e-3,
  ): Promise<number> {
    const optimizer = tf.train.adam(learningRate);
    const { size, channels } = this.config;
    let last = 0;
    for (let s = 0; s < steps; s++) {
      const batch = next();
      const loss = tf.tidy(() => {
        const x = tf.tensor4d(batch.images, [batch.count, size, size, channels]);
        return optimizer.minimize(
          () => {
            const logits = this.logits(x);
            const losses = logits.map((l, i) =>
              tf.losses.softmaxCrossEntropy(
                tf.oneHot(tf.tensor1d(batch.labels[i], 'int32'), this.config.heads[i].classes),
                l,
              ),
            );
            return tf.addN(losses) as tf.Scalar;
          },
          true,
          [...this.params.vars.values()],
        ) as tf.Scalar;
      });
      last = (await loss.data())[0];
      loss.dispose();
    }
    optimizer.dispose();
    return last;
  }

  /** Predicted class per head and the features, for `count` images. */
  async predict(images: Float32Array, count: number): Promise<{ labels: Int32Array[]; features: Float32Array }> {
    const { size, channels } = this.config;
    const chunk = 64;
    const labels = this.config.heads.map(() => new Int32Array(count));
    const features = new Float32Array(count * FEATURES);
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      const px = size * size * channels;
      const [f, ...preds] = tf.tidy(() => {
        const x = tf.tensor4d(images.subarray(start * px, (start + n) * px), [n, size, size, channels]);
        const feats = this.features(x);
        return [feats, ...this.config.heads.map((h) => tf.argMax(dense(this.params, `head.${h.name}`, feats), 1))];
      });
      features.set((await f.data()) as Float32Array, start * FEATURES);
      for (let i = 0; i < preds.length; i++) labels[i].set((await preds[i].data()) as Int32Array, start);
      tf.dispose([f, ...preds]);
    }
    return { labels, features };
  }

  dispose(): void {
    this.params.dispose();
  }
}
