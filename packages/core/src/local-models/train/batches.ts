import { seededRandom } from '@hearth/ml';
import type { Example } from '../data/chat.js';

/** A training batch: inputs and next-token targets `[batch * seqLen]`, with per-target loss weights. */
export interface Batch {
  inputs: Int32Array;
  targets: Int32Array;
  weights: Float32Array;
  batchSize: number;
  seqLen: number;
}

/** Produces batches; `next()` is deterministic given the seed and the number of calls. */
export interface BatchSource {
  next(): Batch;
  /** Fixed held-out batches for validation. */
  validation(count: number): Batch[];
  /** Tokens learned per batch (weighted targets), for tokens/s. */
  readonly tokensPerBatch: number;
}

/** Random windows from a token stream; the last `valFraction` of the stream is held out. */
export function streamBatches(
  tokens: Int32Array,
  batchSize: number,
  seqLen: number,
  seed: number,
  valFraction = 0.05,
): BatchSource {
  const split = Math.floor(tokens.length * (1 - valFraction));
  if (split < seqLen + 2 || tokens.length - split < seqLen + 2)
    throw new Error(`corpus too small (${tokens.length} tokens) for windows of ${seqLen}`);
  const rand = seededRandom(seed);
  const window = (startAt: (i: number) => number): Batch => {
    const inputs = new Int32Array(batchSize * seqLen);
    const targets = new Int32Array(batchSize * seqLen);
    for (let b = 0; b < batchSize; b++) {
      const s = startAt(b);
      inputs.set(tokens.subarray(s, s + seqLen), b * seqLen);
      targets.set(tokens.subarray(s + 1, s + seqLen + 1), b * seqLen);
    }
    return { inputs, targets, weights: new Float32Array(batchSize * seqLen).fill(1), batchSize, seqLen };
  };
  return {
    tokensPerBatch: batchSize * seqLen,
    next: () => window(() => Math.floor(rand() * (split - seqLen - 1))),
    validation: (count) => {
      const span = tokens.length - split - seqLen - 1;
      const total = count * batchSize;
      return Array.from({ length: count }, (_, c) =>
        window((b) => split + Math.floor(((c * batchSize + b) * span) / total)),
      );
    },
  };
}

/** Padded batches of chat examples (truncated to seqLen + 1); every `valEvery`-th example is held out. */
export function exampleBatches(
  examples: Example[],
  batchSize: number,
  seqLen: number,
  seed: number,
  pad: number,
  valEvery = 10,
): BatchSource {
  const val = examples.filter((_, i) => i % valEvery === valEvery - 1);
  const train = examples.length >= 2 * valEvery ? examples.filter((_, i) => i % valEvery !== valEvery - 1) : examples;
  const rand = seededRandom(seed);
  const make = (pick: (b: number) => Example): Batch => {
    const inputs = new Int32Array(batchSize * seqLen).fill(pad);
    const targets = new Int32Array(batchSize * seqLen).fill(pad);
    const weights = new Float32Array(batchSize * seqLen);
    for (let b = 0; b < batchSize; b++) {
      const ex = pick(b);
      const n = Math.min(ex.ids.length - 1, seqLen);
      for (let i = 0; i < n; i++) {
        inputs[b * seqLen + i] = ex.ids[i];
        targets[b * seqLen + i] = ex.ids[i + 1];
        weights[b * seqLen + i] = ex.weights[i + 1];
      }
    }
    return { inputs, targets, weights, batchSize, seqLen };
  };
  const avgLearned = train.reduce((s, e) => s + e.weights.reduce((a, w) => a + w, 0), 0) / train.length;
  const valSet = val.length > 0 ? val : train;
  return {
    tokensPerBatch: Math.round(avgLearned * batchSize),
    next: () => make(() => train[Math.floor(rand() * train.length)]),
    validation: (count) =>
      Array.from({ length: Math.min(count, Math.ceil(valSet.length / batchSize)) }, (_, c) =>
        make((b) => valSet[(c * batchSize + b) % valSet.length]),
      ),
  };
}
