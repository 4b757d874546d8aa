import { seededRandom, tf } from '@hearth/ml';
import type { LlamaModel } from './model/llama.js';

export interface GenerateOptions {
  maxTokens?: number;
  /** 0 = greedy. */
  temperature?: number;
  seed?: number;
  /** Token ids that end generation (not included in the output). */
  stopIds?: number[];
  /** Called with each new token id as it is produced. */
  onToken?: (id: number) => void;
}

/** Samples from a tfjs model with a KV cache (the in-process decoder, used for comparison with llama.cpp). */
export function generate(model: LlamaModel, prompt: number[], options: GenerateOptions = {}): number[] {
  if (prompt.length === 0) throw new Error('generate needs at least one prompt token');
  const max = Math.min(options.maxTokens ?? 64, model.config.contextLength - prompt.length);
  const rand = seededRandom(options.seed ?? 1);
  const cache = model.newCache();
  const out: number[] = [];
  try {
    let input = prompt;
    for (let i = 0; i < max; i++) {
      const logits = tf.tidy(() => {
        const all = model.forward(tf.tensor2d([input], [1, input.length], 'int32'), cache);
        return all.slice([0, input.length - 1, 0], [1, 1, -1]).dataSync() as Float32Array;
      });
      const next = sample(logits, options.temperature ?? 0, rand);
      if (options.stopIds?.includes(next)) break;
      out.push(next);
      options.onToken?.(next);
      input = [next];
    }
    return out;
  } finally {
    model.disposeCache(cache);
  }
}

function sample(logits: Float32Array, temperature: number, rand: () => number): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  if (temperature <= 0) return best;
  let total = 0;
  const p = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) {
    p[i] = Math.exp((logits[i] - logits[best]) / temperature);
    total += p[i];
  }
  let r = rand() * total;
  for (let i = 0; i < p.length; i++) {
    r -= p[i];
    if (r <= 0) return i;
  }
  return best;
}
