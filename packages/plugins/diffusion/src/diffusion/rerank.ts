/**
 * Candidate reranking with the generator's own conditional error, a diffusion classifier (Li et
 * al. 2023, "Your diffusion model is secretly a zero-shot classifier"): a clean image x0 is
 * noised at a few fixed timesteps with fixed noise, and the model predicts that noise under the
 * asked condition and under each alternative. The condition that explains the image best has the
 * lowest error. Only the generator is used; the evaluation judge never sees the candidates.
 */
import { gaussian, seededRandom, tf } from '@hearth/ml';
import type { UNet } from '../model/unet.js';
import { cosineAlphaBar } from './schedule.js';

/** Timesteps (of 1000) the errors are measured at: mid noise, where the shape decides the error. */
export const RERANK_TIMESTEPS = [300, 500, 700] as const;

export interface ErrorOptions {
  /** Timesteps to noise at; the same for every image and condition. */
  timesteps?: readonly number[];
  /** Seed of the fixed noise (one draw per timestep, shared by all images and conditions). */
  seed: number;
}

/**
 * Noise-prediction error of each image under each condition, summed over the timesteps.
 * `images` is `[count, size, size, channels]` in [-1, 1]; `conditions[i]` holds image i's token
 * rows (`k * maxTokens` ids, every image the same k). Returns `[count, k]` row-major.
 */
export function conditionalErrors(
  model: Pick<UNet, 'config' | 'predict'>,
  images: Float32Array,
  count: number,
  conditions: Int32Array[],
  options: ErrorOptions,
): Float32Array {
  const { size, channels, maxTokens } = model.config;
  const px = size * size * channels;
  const k = conditions[0]!.length / maxTokens;
  if (conditions.length !== count || conditions.some((c) => c.length !== k * maxTokens))
    throw new Error(`expected ${count} condition sets of ${k} token rows each`);
  const alphaBar = cosineAlphaBar();
  const normal = gaussian(seededRandom(options.seed));
  const tokens = new Int32Array(count * k * maxTokens);
  conditions.forEach((c, i) => tokens.set(c, i * k * maxTokens));
  const errors = new Float32Array(count * k);
  for (const t of options.timesteps ?? RERANK_TIMESTEPS) {
    const noise = Float32Array.from({ length: px }, normal);
    const a = alphaBar[t]!;
    const noisy = new Float32Array(count * k * px);
    for (let i = 0; i < count; i++) {
      for (let p = 0; p < px; p++) {
        const v = Math.sqrt(a) * images[i * px + p]! + Math.sqrt(1 - a) * noise[p]!;
        for (let c = 0; c < k; c++) noisy[(i * k + c) * px + p] = v;
      }
    }
    const err = tf.tidy(() => {
      const x = tf.tensor4d(noisy, [count * k, size, size, channels]);
      const eps = model.predict(x, new Array(count * k).fill(t), tokens);
      const target = tf.tensor4d(noise, [1, size, size, channels]);
      return tf.mean(tf.square(tf.sub(eps, target)), [1, 2, 3]);
    });
    const values = err.dataSync();
    err.dispose();
    for (let j = 0; j < count * k; j++) errors[j] = errors[j]! + values[j]!;
  }
  return errors;
}

/**
 * How well each candidate fits its asked condition (column 0 of its errors) against the best
 * alternative (the other columns): lower is better, negative means the asked condition explains
 * it better than any alternative.
 */
export function fitScores(errors: Float32Array, k: number): Float32Array {
  const count = errors.length / k;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let best = Number.POSITIVE_INFINITY;
    for (let c = 1; c < k; c++) best = Math.min(best, errors[i * k + c]!);
    out[i] = errors[i * k]! - (k > 1 ? best : 0);
  }
  return out;
}

/** Per group of `perGroup` consecutive candidates, the index (within the group) of the lowest score. */
export function pickBest(scores: Float32Array, perGroup: number): number[] {
  const picks: number[] = [];
  for (let g = 0; g < scores.length / perGroup; g++) {
    let best = 0;
    for (let j = 1; j < perGroup; j++) if (scores[g * perGroup + j]! < scores[g * perGroup + best]!) best = j;
    picks.push(best);
  }
  return picks;
}
