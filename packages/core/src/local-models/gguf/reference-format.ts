import { basename } from 'node:path';

/**
 * Next-token log-probabilities of a short fixed text, computed when a GGUF file is exported, by
 * Hearth's own tfjs forward pass over the weights read back from that file. node-llama-cpp must
 * reproduce them at load time (see providers/gguf/self-check.ts) before the file serves answers.
 */
export interface ModelReference {
  version: 1;
  /** File name of the GGUF this reference belongs to. */
  model: string;
  /** Its size in bytes (a rebuilt model without a new reference is caught). */
  bytes: number;
  /** Token ids evaluated (stored, so llama.cpp's tokenizer is not part of the check). */
  tokens: number[];
  /** `logProbs[i]` = log p(tokens[i + 1] | tokens[0..i]). */
  logProbs: number[];
  /**
   * Accepted |difference| of llama.cpp's log-probabilities: per position at most `max`, on average
   * at most `mean` (Q8_0 files: llama.cpp also quantizes activations to 8 bits, ~0.04 mean, 0.17 max).
   */
  tolerance: { max: number; mean: number };
  /** How the figures were computed. */
  computedBy: string;
}

/** Text of the reference pass: ordinary English and a docs-like sentence, about 30 tokens. */
export const REFERENCE_TEXT =
  'The bot answers only in allowlisted channels. Hearth runs on Node 20 and keeps its index on disk.';

/** Where the reference of `gguf` lives: `<name>.reference.json` next to it. */
export function referencePathFor(gguf: string): string {
  return gguf.replace(/\.gguf$/i, '') + '.reference.json';
}

/** Whether `ref` describes the file `gguf` of `bytes` bytes. */
export function referenceMatchesFile(ref: ModelReference, gguf: string, bytes: number): boolean {
  return ref.version === 1 && ref.model === basename(gguf) && ref.bytes === bytes;
}
