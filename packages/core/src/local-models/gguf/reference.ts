/**
 * Writes `<model>.reference.json` for GGUF files this package exported (see reference-format.ts).
 * Run: node --conditions=hearth-source --import tsx packages/core/src/local-models/gguf/reference.ts <file.gguf>...
 */
import { statSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initTf, tf } from '@hearth/ml';
import { LlamaModel } from '../model/llama.js';
import { readLlamaGguf } from './llama-gguf.js';
import { type ModelReference, REFERENCE_TEXT, referencePathFor } from './reference-format.js';

/**
 * Default tolerance. The shipped Q8_0 file measured mean 0.041, max 0.171 against this reference
 * (F32: max 0.005); a wrong kernel is off by whole nats or NaN.
 */
export const REFERENCE_TOLERANCE = { max: 0.75, mean: 0.15 } as const;

/**
 * Computes the reference of a llama GGUF: weights are read back from the file (Q8_0 dequantized),
 * so the figures describe exactly what llama.cpp should compute, by an independent implementation.
 */
export async function computeModelReference(
  gguf: string,
  tolerance: ModelReference['tolerance'] = REFERENCE_TOLERANCE,
): Promise<ModelReference> {
  await initTf();
  const { config, tokenizer, weights } = readLlamaGguf(gguf);
  const tokens = tokenizer.encode(REFERENCE_TEXT).slice(0, config.contextLength);
  const model = LlamaModel.fromWeights(config, weights);
  try {
    const rows = tf.tidy(
      () =>
        (
          tf.logSoftmax(model.forward(tf.tensor2d([tokens], [1, tokens.length], 'int32'))).arraySync() as number[][][]
        )[0],
    );
    const logProbs = tokens.slice(1).map((next, i) => Number(rows[i][next].toFixed(5)));
    return {
      version: 1,
      model: basename(gguf),
      bytes: statSync(gguf).size,
      tokens,
      logProbs,
      tolerance: { ...tolerance },
      computedBy: 'tfjs forward pass (packages/core/src/local-models) over the weights read back from the GGUF file',
    };
  } finally {
    model.dispose();
  }
}

/** Computes and writes the reference next to `gguf`; returns its path. */
export async function writeModelReference(gguf: string): Promise<string> {
  const out = referencePathFor(gguf);
  writeFileSync(out, `${JSON.stringify(await computeModelReference(gguf))}\n`);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const file of process.argv.slice(2)) console.log(`wrote ${await writeModelReference(resolve(file))}`);
}
