import type { Embedder } from '../types.js';
import { type HashingConfig, hashEmbed } from './hashing.js';
import { brownIdf } from './idf.js';

/**
 * Variants of the offline embedder. `default` was picked on the PubMedQA dev (`cv`) split
 * (docs/benchmarks/knowledge.md): words plus character 3-5-grams at 384 dimensions, each word weighted by its
 * Brown Corpus idf (nDCG@10 0.687 against 0.607 without idf, 0.643 for idf-weighted char n-grams alone).
 */
export const LOCAL_VARIANTS: Record<string, HashingConfig> = {
  default: { dimension: 384, charNgrams: [3, 4, 5], charWeight: 1, wordWeight: 1, bigramWeight: 0, idf: brownIdf },
  plain: { dimension: 384, charNgrams: [3, 4, 5], charWeight: 1, wordWeight: 1, bigramWeight: 0 },
  chars: { dimension: 384, charNgrams: [3, 4, 5], charWeight: 1, wordWeight: 0, bigramWeight: 0, idf: brownIdf },
  words: { dimension: 384, charNgrams: [], charWeight: 0, wordWeight: 1, bigramWeight: 0, idf: brownIdf },
  bigrams: { dimension: 384, charNgrams: [3, 4, 5], charWeight: 1, wordWeight: 1, bigramWeight: 0.5, idf: brownIdf },
  small: { dimension: 256, charNgrams: [3, 4, 5], charWeight: 1, wordWeight: 1, bigramWeight: 0, idf: brownIdf },
  large: { dimension: 768, charNgrams: [3, 4, 5], charWeight: 1, wordWeight: 1, bigramWeight: 0, idf: brownIdf },
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
