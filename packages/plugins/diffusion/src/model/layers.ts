/** Building blocks of the U-Net, written with the custom-gradient ops tfjs-wasm needs. */
import { tf } from '@hearth/ml';
import { conv2d, matMul } from '@hearth/ml/ops/conv';
import type { Params } from './params.js';

export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/** Declares a dense layer's weights. */
export function defineDense(p: Params, name: string, inDim: number, outDim: number, zeroInit = false): void {
  p.create(`${name}.w`, [inDim, outDim], zeroInit ? 'zeros' : 'he', inDim);
  p.create(`${name}.b`, [outDim], 'zeros');
}

export function dense(p: Params, name: string, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(matMul(x, p.get(`${name}.w`) as tf.Tensor2D), p.get(`${name}.b`));
}

/** Declares a k x k convolution's weights. */
export function defineConv(p: Params, name: string, k: number, inC: number, outC: number, zeroInit = false): void {
  p.create(`${name}.w`, [k, k, inC, outC], zeroInit ? 'zeros' : 'he', k * k * inC);
  p.create(`${name}.b`, [outC], 'zeros');
}

export function conv(p: Params, name: string, x: tf.Tensor4D): tf.Tensor4D {
  return tf.add(conv2d(x, p.get(`${name}.w`) as tf.Tensor4D), p.get(`${name}.b`));
}

export function defineGroupNorm(p: Params, name: string, channels: number): void {
  p.create(`${name}.g`, [channels], 'ones');
  p.create(`${name}.b`, [channels], 'zeros');
}

/** Group normalisation over groups of channels (batch-size independent, so sampling at batch 1 matches training). */
export function groupNorm(p: Params, name: string, x: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const g = Math.min(groups, c);
  const grouped = x.reshape([b, h * w, g, c / g]);
  const { mean, variance } = tf.moments(grouped, [1, 3], true);
  const normed = tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, 1e-5))).reshape([b, h, w, c]);
  return tf.add(tf.mul(normed, p.get(`${name}.g`)), p.get(`${name}.b`)) as tf.Tensor4D;
}

/** 2x2 average pooling written as reshape + mean (its gradient needs no pooling kernel). */
export function downsample(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  return tf.mean(x.reshape([b * (h / 2), 2, w / 2, 2, c]), [1, 3]).reshape([b, h / 2, w / 2, c]) as tf.Tensor4D;
}

/** Nearest-neighbour 2x upsampling by broadcasting (its gradient is a sum). */
export function upsample(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const ones = tf.ones([1, 2, 1, 2, 1]);
  return tf.mul(x.reshape([b * h, 1, w, 1, c]), ones).reshape([b, h * 2, w * 2, c]) as tf.Tensor4D;
}

/** Sinusoidal embedding of diffusion timesteps, `[batch, dim]`. */
export function timestepEmbedding(t: number[], dim: number): tf.Tensor2D {
  const half = dim / 2;
  const values = new Float32Array(t.length * dim);
  t.forEach((step, i) => {
    for (let k = 0; k < half; k++) {
      const freq = Math.exp((-Math.log(10000) * k) / half);
      values[i * dim + k] = Math.sin(step * freq);
      values[i * dim + half + k] = Math.cos(step * freq);
    }
  });
  return tf.tensor2d(values, [t.length, dim]);
}
