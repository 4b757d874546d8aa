import { initTf } from '@hearth/ml';
import { loadModelSource, saveModelFolder } from './artifacts.js';
import { encodeTranscript, readTranscripts } from './data/chat.js';
import { loadBrownCorpus, loadMarkdown } from './data/corpus.js';
import { type LlamaConfig, PRESETS, type PresetName, parseLlamaConfig } from './model/config.js';
import { LlamaModel } from './model/llama.js';
import { Tokenizer } from './tokenizer.js';
import { exampleBatches, streamBatches } from './train/batches.js';
import { type TrainOptions, type TrainResult, train } from './train/loop.js';

export interface PretrainOptions extends Omit<TrainOptions, 'trainable'> {
  /** Output model folder (checkpoints resume from here). */
  outDir: string;
  preset?: PresetName;
  /** Overrides of the preset (dim, layers, heads, ffnDim, contextLength). */
  config?: Partial<LlamaConfig>;
  /** GPT-2 merges to keep (vocab = 256 + merges + 3 special tokens). */
  merges?: number;
  /** Documents to train on; default: the Brown Corpus plus `docsDirs` markdown. */
  documents?: string[];
  docsDirs?: string[];
  batchSize?: number;
  seqLen?: number;
  seed?: number;
}

/** Concatenates documents into one token stream, separated by `<|endoftext|>`. */
export function tokenStream(tokenizer: Tokenizer, documents: string[]): Int32Array {
  const ids: number[] = [];
  for (const d of documents) ids.push(...tokenizer.encode(d), tokenizer.eos);
  return Int32Array.from(ids);
}

/** Pre-trains a fresh llama model on a text corpus and saves it as a model folder. */
export async function pretrain(
  options: PretrainOptions,
): Promise<TrainResult & { config: LlamaConfig; parameters: number }> {
  await initTf();
  const seed = options.seed ?? 1;
  const tokenizer = Tokenizer.fromGpt2(options.merges ?? 1000);
  const config = parseLlamaConfig({
    ...PRESETS[options.preset ?? 'shipped'],
    ...options.config,
    vocabSize: tokenizer.vocabSize,
  });
  const docs = options.documents ?? [...loadBrownCorpus(), ...(options.docsDirs ?? []).flatMap((d) => loadMarkdown(d))];
  const seqLen = options.seqLen ?? Math.min(128, config.contextLength);
  const data = streamBatches(tokenStream(tokenizer, docs), options.batchSize ?? 16, seqLen, seed);
  const model = LlamaModel.create(config, seed);
  try {
    const result = await train(model, data, { ...options, trainable: 'base' });
    saveModelFolder(options.outDir, config, tokenizer, model.exportWeights());
    const parameters = Object.values(model.exportWeights()).reduce((s, w) => s + w.data.length, 0);
    return { ...result, config, parameters };
  } finally {
    model.dispose();
  }
}

export interface FinetuneOptions extends Omit<TrainOptions, 'trainable'> {
  /** Model folder or llama GGUF to start from. */
  baseDir: string;
  outDir: string;
  /** JSONL transcripts (`{"messages": [...]}`). */
  dataPath: string;
  batchSize?: number;
  seqLen?: number;
  seed?: number;
}

/** Fine-tunes all weights of a model folder on chat transcripts (loss on assistant turns only). */
export async function finetune(options: FinetuneOptions): Promise<TrainResult> {
  await initTf();
  const base = loadModelSource(options.baseDir);
  const examples = readTranscripts(options.dataPath).map((t) => encodeTranscript(base.tokenizer, t));
  const seqLen = options.seqLen ?? base.config.contextLength;
  const data = exampleBatches(examples, options.batchSize ?? 8, seqLen, options.seed ?? 1, base.tokenizer.eos);
  const model = LlamaModel.fromWeights(base.config, base.weights);
  try {
    const result = await train(model, data, { learningRate: 1e-3, ...options, trainable: 'base' });
    saveModelFolder(options.outDir, base.config, base.tokenizer, model.exportWeights());
    return result;
  } finally {
    model.dispose();
  }
}
