import { readFileSync, writeFileSync } from 'node:fs';
import { type LlamaConfig, parseLlamaConfig, weightShapes } from '../model/config.js';
import type { WeightMap } from '../model/llama.js';
import type { LoraConfig, LoraMatrices } from '../model/lora.js';
import { Tokenizer } from '../tokenizer.js';
import { decodeGguf, encodeGguf, GgmlType, type GgufTensor, type GgufValue } from './format.js';
import { decodeTensor, encodeTensor } from './quant.js';

/** Export precisions and their GGUF `general.file_type` codes. */
export const GGUF_TYPES = { f32: [GgmlType.F32, 0], f16: [GgmlType.F16, 1], q8_0: [GgmlType.Q8_0, 7] } as const;
export type GgufPrecision = keyof typeof GGUF_TYPES;

/** ChatML template, so llama.cpp and node-llama-cpp pick the ChatML chat format. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

function tokenizerMetadata(tok: Tokenizer): Record<string, GgufValue> {
  const firstSpecial = 256 + tok.merges.length;
  return {
    'tokenizer.ggml.model': { type: 'string', value: 'gpt2' },
    'tokenizer.ggml.pre': { type: 'string', value: 'gpt-2' },
    'tokenizer.ggml.tokens': { type: 'string[]', value: tok.tokens },
    'tokenizer.ggml.token_type': { type: 'i32[]', value: tok.tokens.map((_, i) => (i >= firstSpecial ? 3 : 1)) },
    'tokenizer.ggml.merges': { type: 'string[]', value: tok.merges },
    'tokenizer.ggml.bos_token_id': { type: 'u32', value: tok.eos },
    'tokenizer.ggml.eos_token_id': { type: 'u32', value: tok.eos },
    'tokenizer.ggml.eot_token_id': { type: 'u32', value: tok.special('<|im_end|>') },
    'tokenizer.ggml.padding_token_id': { type: 'u32', value: tok.eos },
    'tokenizer.ggml.add_bos_token': { type: 'bool', value: false },
    'tokenizer.ggml.add_eos_token': { type: 'bool', value: false },
    'tokenizer.chat_template': { type: 'string', value: CHATML_TEMPLATE },
  };
}

/** GGUF bytes of a llama model with its tokenizer, at the given precision (norms stay F32). */
export function encodeLlamaGguf(
  config: LlamaConfig,
  tok: Tokenizer,
  weights: WeightMap,
  precision: GgufPrecision,
  name = 'hearth-local',
): Buffer {
  if (tok.vocabSize !== config.vocabSize)
    throw new Error(`tokenizer has ${tok.vocabSize} tokens, model ${config.vocabSize}`);
  const [matrixType, fileType] = GGUF_TYPES[precision];
  const metadata: Record<string, GgufValue> = {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: name },
    'general.file_type': { type: 'u32', value: fileType },
    'llama.context_length': { type: 'u32', value: config.contextLength },
    'llama.embedding_length': { type: 'u32', value: config.dim },
    'llama.block_count': { type: 'u32', value: config.layers },
    'llama.feed_forward_length': { type: 'u32', value: config.ffnDim },
    'llama.attention.head_count': { type: 'u32', value: config.heads },
    'llama.attention.head_count_kv': { type: 'u32', value: config.heads },
    'llama.attention.layer_norm_rms_epsilon': { type: 'f32', value: config.normEps },
    'llama.rope.dimension_count': { type: 'u32', value: config.dim / config.heads },
    'llama.rope.freq_base': { type: 'f32', value: config.ropeTheta },
    'llama.vocab_size': { type: 'u32', value: config.vocabSize },
    ...tokenizerMetadata(tok),
  };
  const tensors: GgufTensor[] = Object.entries(weightShapes(config)).map(([tname, shape]) => {
    const w = weights[tname];
    if (!w) throw new Error(`missing weight ${tname}`);
    if (shape.length === 1)
      return { name: tname, type: GgmlType.F32, dims: shape, bytes: encodeTensor(w.data, GgmlType.F32) };
    // token_embd is [vocab, dim] row-major already; projections are [in, out] and ggml wants rows of `in`.
    const rowMajor = tname === 'token_embd.weight' ? w.data : transpose(w.data, shape[0], shape[1]);
    const dims = tname === 'token_embd.weight' ? [shape[1], shape[0]] : [shape[0], shape[1]];
    return { name: tname, type: matrixType, dims, bytes: encodeTensor(rowMajor, matrixType) };
  });
  return encodeGguf(metadata, tensors);
}

export function writeLlamaGguf(
  path: string,
  config: LlamaConfig,
  tok: Tokenizer,
  weights: WeightMap,
  precision: GgufPrecision,
  name?: string,
): void {
  writeFileSync(path, encodeLlamaGguf(config, tok, weights, precision, name));
}

/** Reads a llama GGUF written by this module (or any with a byte-level gpt2 tokenizer) back to weights. */
export function readLlamaGguf(path: string): { config: LlamaConfig; tokenizer: Tokenizer; weights: WeightMap } {
  const { metadata: m, tensors } = decodeGguf(readFileSync(path));
  if (m['general.architecture'] !== 'llama')
    throw new Error(`${path}: architecture is ${m['general.architecture']}, not llama`);
  const tokens = m['tokenizer.ggml.tokens'] as string[];
  const types = m['tokenizer.ggml.token_type'] as number[];
  const tokenizer = new Tokenizer({
    type: 'hearth-byte-bpe',
    merges: m['tokenizer.ggml.merges'] as string[],
    specials: tokens.filter((_, i) => types[i] === 3),
  });
  const config = parseLlamaConfig({
    vocabSize: tokens.length,
    dim: m['llama.embedding_length'],
    layers: m['llama.block_count'],
    heads: m['llama.attention.head_count'],
    ffnDim: m['llama.feed_forward_length'],
    contextLength: m['llama.context_length'],
    // GGUF stores these as float32; 7 significant digits recover the value that was written.
    ropeTheta: Number((m['llama.rope.freq_base'] as number).toPrecision(7)),
    normEps: Number((m['llama.attention.layer_norm_rms_epsilon'] as number).toPrecision(7)),
  });
  const shapes = weightShapes(config);
  const weights: WeightMap = {};
  for (const t of tensors) {
    const shape = shapes[t.name];
    if (!shape) continue;
    const data = decodeTensor(t.bytes, t.type);
    weights[t.name] = {
      data: shape.length === 1 || t.name === 'token_embd.weight' ? data : transpose(data, shape[1], shape[0]),
      shape,
    };
  }
  return { config, tokenizer, weights };
}

/** A GGUF LoRA adapter (llama.cpp's format: `<tensor>.lora_a` `[rank, in]`, `.lora_b` `[out, rank]` row-major). */
export function encodeLoraGguf(lora: LoraConfig, matrices: LoraMatrices, name = 'hearth-adapter'): Buffer {
  const metadata: Record<string, GgufValue> = {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.type': { type: 'string', value: 'adapter' },
    'general.name': { type: 'string', value: name },
    'adapter.type': { type: 'string', value: 'lora' },
    'adapter.lora.alpha': { type: 'f32', value: lora.alpha },
  };
  const tensors: GgufTensor[] = [];
  for (const [tname, m] of Object.entries(matrices)) {
    const base = tname.replace(/\.weight$/, '');
    const r = lora.rank;
    tensors.push({
      name: `${base}.weight.lora_a`,
      type: GgmlType.F32,
      dims: [m.inDim, r],
      bytes: encodeTensor(transpose(m.a, m.inDim, r), GgmlType.F32),
    });
    tensors.push({
      name: `${base}.weight.lora_b`,
      type: GgmlType.F32,
      dims: [r, m.outDim],
      bytes: encodeTensor(transpose(m.b, r, m.outDim), GgmlType.F32),
    });
  }
  return encodeGguf(metadata, tensors);
}
