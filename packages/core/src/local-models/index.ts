/**
 * Hearth's local language models: a llama-architecture decoder trained in process (tfjs on wasm),
 * byte-level BPE tokenizer, pretraining/fine-tuning with resumable checkpoints, LoRA adapters,
 * distillation, and GGUF export (F32/F16/Q8_0) for node-llama-cpp.
 * @packageDocumentation
 */

export { type AdapterEntry, AdapterStore } from './adapter-store.js';
export { type AdapterTrainOptions, trainAdapter } from './adapters.js';
export { loadModel, loadModelFolder, loadModelSource, saveModelFolder } from './artifacts.js';
export { chatPrompt, encodeTranscript, readTranscripts, type Transcript } from './data/chat.js';
export { loadBrownCorpus, loadMarkdown } from './data/corpus.js';
export { buildGroundedTranscripts, groundedSystemPrompt } from './data/grounded-chats.js';
export {
  answerF1,
  compareModels,
  type DistillReport,
  distillLogits,
  distillSequences,
  type StudentSpec,
} from './distill/index.js';
export { generate } from './generate.js';
export { encodeLoraGguf, type GgufPrecision, readLlamaGguf, writeLlamaGguf } from './gguf/llama-gguf.js';
export { type LlamaConfig, PRESETS, type PresetName, parameterCount, parseLlamaConfig } from './model/config.js';
export { type KvCache, LlamaModel, type WeightMap } from './model/llama.js';
export { LORA_TARGETS, type LoraConfig, LoraConfigSchema } from './model/lora.js';
export { type FinetuneOptions, finetune, type PretrainOptions, pretrain, tokenStream } from './pretrain.js';
export { SPECIAL_TOKENS, Tokenizer, type TokenizerJson } from './tokenizer.js';
export { exampleBatches, streamBatches } from './train/batches.js';
export type { TrainProgress, TrainResult } from './train/loop.js';
