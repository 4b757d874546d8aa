/**
 * Hearth's local language models: a llama-architecture decoder trained in process (tfjs on wasm),
 * byte-level BPE tokenizer, pretraining/fine-tuning with resumable checkpoints, LoRA adapters,
 * distillation, and GGUF export (F32/F16/Q8_0) for node-llama-cpp.
 * @packageDocumentation
 */
export { Tokenizer, SPECIAL_TOKENS, type TokenizerJson } from './tokenizer.js';
export { type LlamaConfig, PRESETS, type PresetName, parseLlamaConfig, parameterCount } from './model/config.js';
export { LlamaModel, type WeightMap, type KvCache } from './model/llama.js';
export { type LoraConfig, LoraConfigSchema, LORA_TARGETS } from './model/lora.js';
export { saveModelFolder, loadModelFolder, loadModelSource, loadModel } from './artifacts.js';
export { readTranscripts, encodeTranscript, chatPrompt, type Transcript } from './data/chat.js';
export { loadBrownCorpus, loadMarkdown } from './data/corpus.js';
export { buildGroundedTranscripts, groundedSystemPrompt } from './data/grounded-chats.js';
export { pretrain, finetune, tokenStream, type PretrainOptions, type FinetuneOptions } from './pretrain.js';
export { trainAdapter, type AdapterTrainOptions } from './adapters.js';
export { type TrainProgress, type TrainResult } from './train/loop.js';
export { streamBatches, exampleBatches } from './train/batches.js';
export {
  distillLogits,
  distillSequences,
  compareModels,
  answerF1,
  type StudentSpec,
  type DistillReport,
} from './distill/index.js';
export { writeLlamaGguf, readLlamaGguf, encodeLoraGguf, type GgufPrecision } from './gguf/llama-gguf.js';
export { generate } from './generate.js';
export { AdapterStore, type AdapterEntry } from './adapter-store.js';
