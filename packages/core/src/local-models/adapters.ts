import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { initTf } from '@hearth/ml';
import { loadModelSource } from './artifacts.js';
import { encodeTranscript, readTranscripts } from './data/chat.js';
import { encodeLoraGguf } from './gguf/llama-gguf.js';
import { LlamaModel } from './model/llama.js';
import { type LoraConfig, LoraConfigSchema } from './model/lora.js';
import { exampleBatches } from './train/batches.js';
import { type TrainOptions, type TrainResult, train } from './train/loop.js';

export interface AdapterTrainOptions extends Omit<TrainOptions, 'trainable' | 'outDir'> {
  /** Base model: a model folder or a llama GGUF (e.g. the shipped Q8_0 model). */
  baseDir: string;
  /** JSONL chat transcripts. */
  dataPath: string;
  /** Where the GGUF LoRA adapter goes; checkpoints go to `<file>.train/`. */
  outPath: string;
  lora?: Partial<LoraConfig>;
  batchSize?: number;
  seqLen?: number;
  seed?: number;
}

/**
 * Trains LoRA matrices only (the base weights are frozen) on chat transcripts and writes a GGUF
 * LoRA adapter that node-llama-cpp applies on top of the base model's GGUF.
 */
export async function trainAdapter(
  options: AdapterTrainOptions,
): Promise<TrainResult & { outPath: string; loraParameters: number }> {
  await initTf();
  const lora = LoraConfigSchema.parse(options.lora ?? {});
  const base = loadModelSource(options.baseDir);
  const examples = readTranscripts(options.dataPath).map((t) => encodeTranscript(base.tokenizer, t));
  const data = exampleBatches(
    examples,
    options.batchSize ?? 8,
    options.seqLen ?? base.config.contextLength,
    options.seed ?? 1,
    base.tokenizer.eos,
  );
  const model = LlamaModel.fromWeights(base.config, base.weights);
  try {
    const adapter = model.attachLora(lora, options.seed ?? 1);
    const result = await train(model, data, {
      learningRate: 5e-3,
      ...options,
      trainable: 'lora',
      outDir: `${options.outPath}.train`,
    });
    const matrices = adapter.exportMatrices();
    mkdirSync(dirname(options.outPath), { recursive: true });
    writeFileSync(options.outPath, encodeLoraGguf(lora, matrices));
    writeFileSync(join(`${options.outPath}.train`, 'lora.json'), `${JSON.stringify(lora, null, 2)}\n`);
    const loraParameters = Object.values(matrices).reduce((s, m) => s + m.a.length + m.b.length, 0);
    return { ...result, outPath: options.outPath, loraParameters };
  } finally {
    model.dispose();
  }
}
