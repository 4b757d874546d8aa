/**
 * DDIM sampling (eta = 0, deterministic given the starting noise) with classifier-free guidance:
 * each step runs the conditional and unconditional predictions as one batch and mixes them.
 */
import { gaussian, seededRandom, tf } from '@hearth/ml';
import type { UNet } from '../model/unet.js';
import { cosineAlphaBar, ddimTimesteps } from './schedule.js';

export interface SampleOptions {
  /** One token row per image (`count * maxTokens` ids). */
  tokens: Int32Array;
  count: number;
  steps: number;
  /** Guidance scale: 0 = unconditional, 1 = conditional only, > 1 pushes towards the prompt. */
  guidance: number;
  seed: number;
  signal?: AbortSignal;
  /** Called after each denoising step with (done, total). */
  onStep?: (done: number, total: number) => void;
}

/** Thrown when sampling is cancelled through its signal. */
export class SamplingCancelled extends Error {
  constructor() {
    super('image generation was cancelled');
    this.name = 'SamplingCancelled';
  }
}

/** Samples images; returns values in [-1, 1], `[count, size, size, channels]`. */
export async function sample(model: UNet, options: SampleOptions): Promise<Float32Array> {
  const { maxTokens } = model.config;
  const { count, guidance, tokens } = options;
  if (tokens.length !== count * maxTokens)
    throw new Error(`expected ${count * maxTokens} token ids, got ${tokens.length}`);
  const unconditional = new Int32Array(tokens.length);
  const guided = guidance !== 1;
  const batchTokens = guided ? concatTokens(tokens, unconditional) : tokens;
  return denoise(model, options, (x, t) => {
    const input = guided ? tf.concat([x, x], 0) : x;
    const eps = model.predict(input as tf.Tensor4D, new Array(input.shape[0]).fill(t), batchTokens);
    if (!guided) return eps;
    const [cond, uncond] = tf.split(eps, 2, 0);
    return tf.add(uncond, tf.mul(tf.sub(cond, uncond), guidance)) as tf.Tensor4D;
  });
}

/** What a DDIM run needs besides the noise predictor. */
export type DenoiseOptions = Pick<SampleOptions, 'count' | 'steps' | 'seed' | 'signal' | 'onStep'>;

/**
 * The DDIM loop over any noise predictor `eps(x, t)` (called inside a tidy): the plain guided
 * sampler above, or a compositional one that mixes several prompts' predictions.
 */
export async function denoise(
  model: Pick<UNet, 'config'>,
  options: DenoiseOptions,
  eps: (x: tf.Tensor4D, t: number) => tf.Tensor4D,
): Promise<Float32Array> {
  const { size, channels } = model.config;
  const { count, steps } = options;
  const alphaBar = cosineAlphaBar();
  const normal = gaussian(seededRandom(options.seed));
  const shape: [number, number, number, number] = [count, size, size, channels];
  let x = tf.tensor4d(Float32Array.from({ length: count * size * size * channels }, normal), shape);
  const schedule = ddimTimesteps(steps);
  try {
    for (let i = 0; i < schedule.length; i++) {
      if (options.signal?.aborted) throw new SamplingCancelled();
      const t = schedule[i];
      const prevAlpha = i + 1 < schedule.length ? alphaBar[schedule[i + 1]] : 1;
      const next = tf.tidy(() => {
        const e = eps(x, t);
        const a = alphaBar[t];
        const x0 = tf.clipByValue(tf.div(tf.sub(x, tf.mul(e, Math.sqrt(1 - a))), Math.sqrt(a)), -1, 1);
        // Re-derive the noise from the clipped x0 so the step stays consistent with it.
        const eClipped = tf.div(tf.sub(x, tf.mul(x0, Math.sqrt(a))), Math.sqrt(1 - a));
        return tf.add(tf.mul(x0, Math.sqrt(prevAlpha)), tf.mul(eClipped, Math.sqrt(1 - prevAlpha))) as tf.Tensor4D;
      });
      x.dispose();
      x = next;
      options.onStep?.(i + 1, schedule.length);
      // Yield so cancellation and progress reach the event loop between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return (await x.data()) as Float32Array;
  } finally {
    x.dispose();
  }
}

function concatTokens(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
