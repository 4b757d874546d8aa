import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLlamaGguf } from './gguf/llama-gguf.js';
import { type LlamaConfig, parseLlamaConfig } from './model/config.js';
import { LlamaModel, type WeightMap } from './model/llama.js';
import { Tokenizer } from './tokenizer.js';
import { readSafetensors, writeSafetensors } from './train/safetensors.js';

/**
 * A trained model folder: `config.json`, `tokenizer.json`, `model.safetensors` (F32 weights by
 * GGUF tensor name, matrices `[in, out]`). Training checkpoints live in the same folder.
 */
export interface ModelFolder {
  config: LlamaConfig;
  tokenizer: Tokenizer;
  weights: WeightMap;
}

export function saveModelFolder(dir: string, config: LlamaConfig, tokenizer: Tokenizer, weights: WeightMap): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer.toJSON()));
  writeSafetensors(join(dir, 'model.safetensors'), weights, { format: 'hearth-llama' });
}

export function loadModelFolder(dir: string): ModelFolder {
  for (const f of ['config.json', 'tokenizer.json', 'model.safetensors']) {
    if (!existsSync(join(dir, f))) throw new Error(`${dir} is not a model folder: ${f} is missing`);
  }
  const config = parseLlamaConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')));
  const tokenizer = Tokenizer.load(join(dir, 'tokenizer.json'));
  const { tensors } = readSafetensors(join(dir, 'model.safetensors'));
  return { config, tokenizer, weights: tensors };
}

/** Loads a model folder into a tfjs model (call initTf() first). */
export function loadModel(dir: string): { model: LlamaModel; tokenizer: Tokenizer } {
  const f = loadModelFolder(dir);
  return { model: LlamaModel.fromWeights(f.config, f.weights), tokenizer: f.tokenizer };
}

/** A model folder, or a llama GGUF with a byte-level BPE tokenizer (quantized weights are dequantized). */
export function loadModelSource(path: string): ModelFolder {
  if (!existsSync(path)) throw new Error(`model not found: ${path}`);
  if (statSync(path).isDirectory()) return loadModelFolder(path);
  if (path.endsWith('.gguf')) return readLlamaGguf(path);
  throw new Error(`${path} is neither a model folder nor a .gguf file`);
}
