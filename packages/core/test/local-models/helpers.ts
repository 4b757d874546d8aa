import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTf, tf } from '@hearth/ml';
import { PRESETS, parseLlamaConfig } from '../../src/local-models/model/config.js';
import { LlamaModel } from '../../src/local-models/model/llama.js';
import { Tokenizer } from '../../src/local-models/tokenizer.js';

export const TEXT =
  'The jury said the election was fair. The city praised the jury for the manner in which the election was held.';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `hearth-${prefix}-`));
}

/** A tiny random model whose weights are scaled up so its logits are far from uniform. */
export async function tinyModel(seed = 3, layers = 2): Promise<{ model: LlamaModel; tokenizer: Tokenizer }> {
  await initTf();
  const tokenizer = Tokenizer.fromGpt2(300);
  const config = parseLlamaConfig({ ...PRESETS.tiny, layers, vocabSize: tokenizer.vocabSize });
  const model = LlamaModel.create(config, seed);
  for (const [name, v] of model.weights) if (!name.includes('norm')) v.assign(tf.mul(v, 20));
  return { model, tokenizer };
}

/** log-softmax of the model's logits for `ids`, as [position][token]. */
export function tfjsLogProbs(model: LlamaModel, ids: number[]): number[][] {
  return tf.tidy(
    () => (tf.logSoftmax(model.forward(tf.tensor2d([ids], [1, ids.length], 'int32'))).arraySync() as number[][][])[0],
  );
}
