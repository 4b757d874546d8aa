import type { Embedder } from '../types.js';
import { type HashingConfig, hashEmbed } from './hashing.js';

/**
 * Variants of the offline embedder. `default` was picked on the PubMedQA dev set
 * (see docs/benchmarks/knowledge.md): character 3-5-grams plus words at 384 dimensions.
 */
export const LOCAL_VARIANTS: Record<string, HashingConfig> = {
  default: { dimension: 384, charNgrams: [3, 4, 5], charWeight: 1, wordWeight: 1, bigramWeight: 0 },
  words: { dimension: 384, charNgrams: [], charWeight: 0, wordWeight: 1, bigramWeight: 0 },
  chars: { dimension: 384, charNgrams: [3, 4, 5], charWeight: 1, wordWeight: 0, bigramWeight: 0 },
  bigrams: { dimension: 384, charNgrams: [3, 4, 5], charWeight: 1, wordWeight: 1, bigramWeight: 0.5 },
  small: { dimension: 256, charNgrams: [3, 4, 5], charWeight: 1, wordWeight: 1, bigramWeight: 0 },
  large: { dimension: 768, charNgrams: [3, 4, 5], charWeight: 1, wordWeight: 1, bigramWeight: 0 },
};

/** The offline embedder: feature hashing, no download, deterministic across processes. */
export class LocalHashEmbedder implements Embedder {
  readonly ref: string;
  readonly dimension: number;
  readonly #config: HashingConfig;

  constructor(variant = 'default') {
    const config = LOCAL_VARIANTS[variant];
    if (!config) {
      throw new Error(`Unknown local embedder variant "${variant}"; known: ${Object.keys(LOCAL_VARIANTS).join(', ')}`);
    }
    this.#config = config;
    this.dimension = config.dimension;
    this.ref = variant === 'default' ? 'local' : `local:${variant}`;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const text of texts) {
      signal?.throwIfAborted();
      out.push(hashEmbed(text, this.#config));
    }
    return out;
  }
}
