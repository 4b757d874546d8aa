import { join } from 'node:path';
import { tf } from '@hearth/ml';
import { getLlama, LlamaLogLevel, type LlamaModel as NodeLlamaModel, type Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLoraGguf, writeLlamaGguf } from '../../src/local-models/gguf/llama-gguf.js';
import type { LlamaModel } from '../../src/local-models/model/llama.js';
import type { Tokenizer } from '../../src/local-models/tokenizer.js';
import { loadCheckedModel } from '../../src/providers/gguf/runtime.js';
import { TEXT, tempDir, tfjsLogProbs, tinyModel } from '../local-models/helpers.js';

/** node-llama-cpp's next-token log-probabilities at every position (F32 KV cache, so no f16 rounding). */
async function llamaCppLogProbs(model: NodeLlamaModel, ids: number[], lora?: string): Promise<Map<number, number>[]> {
  const ctx = await model.createContext({
    contextSize: 64,
    threads: 1,
    flashAttention: false,
    experimentalKvCacheKeyType: 'F32',
    experimentalKvCacheValueType: 'F32',
    ...(lora ? { lora: { adapters: [{ filePath: lora }] } } : {}),
  });
  try {
    const out = await ctx
      .getSequence()
      .controlledEvaluate(ids.map((t) => [t as Token, { generateNext: { probabilities: true } }]));
    return out.map((o) => new Map([...(o?.next.probabilities ?? new Map())].map(([t, p]) => [t, Math.log(p)])));
  } finally {
    await ctx.dispose();
  }
}

function maxDiff(ours: number[][], theirs: Map<number, number>[]): number {
  let max = 0;
  theirs.forEach((row, pos) => {
    for (const [t, lp] of row) if (lp > -9) max = Math.max(max, Math.abs(lp - ours[pos][t]));
  });
  return max;
}

function perplexity(logProbs: Map<number, number>[], ids: number[]): number {
  let nll = 0;
  for (let i = 0; i < ids.length - 1; i++) nll -= logProbs[i].get(ids[i + 1]) ?? Math.log(1e-9);
  return Math.exp(nll / (ids.length - 1));
}

describe('tfjs forward pass vs node-llama-cpp on the same GGUF weights', () => {
  const dir = tempDir('parity');
  let model: LlamaModel;
  let tokenizer: Tokenizer;
  let ids: number[];
  const loaded: NodeLlamaModel[] = [];
  const load = async (file: string) => {
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const m = await llama.loadModel({ modelPath: file, gpuLayers: 0 });
    loaded.push(m);
    return m;
  };

  beforeAll(async () => {
    ({ model, tokenizer } = await tinyModel(11));
    ids = tokenizer.encode(TEXT);
  });
  afterAll(async () => {
    for (const m of loaded) await m.dispose();
    model.dispose();
  });

  it('F32: same tokenization, next-token log-probabilities agree within 1e-3', async () => {
    const path = join(dir, 'f32.gguf');
    writeLlamaGguf(path, model.config, tokenizer, model.exportWeights(), 'f32');
    const m = await load(path);
    expect(m.tokenize(TEXT)).toEqual(ids);
    expect(m.detokenize(ids as Token[])).toBe(TEXT);
    const diff = maxDiff(tfjsLogProbs(model, ids), await llamaCppLogProbs(m, ids));
    expect(diff).toBeLessThan(1e-3);
  });

  it('Q8_0: perplexity within 5% of F32 (random weights with sharp logits; the trained model is measured in the benchmark)', async () => {
    const f32 = join(dir, 'f32b.gguf');
    const q8 = join(dir, 'q8.gguf');
    writeLlamaGguf(f32, model.config, tokenizer, model.exportWeights(), 'f32');
    writeLlamaGguf(q8, model.config, tokenizer, model.exportWeights(), 'q8_0');
    const pF32 = perplexity(await llamaCppLogProbs(await load(f32), ids), ids);
    // Through Hearth's self-checked load: on AMX CPUs (libggml-cpu-sapphirerapids.so) raw Q8_0 gave
    // NaN here; the check then serves an F32 copy and says so (see providers/gguf/self-check.ts).
    const checked = await loadCheckedModel(q8, (line) => console.log(line));
    loaded.push(checked.model);
    expect(checked.check.status === 'failed').toBe(checked.loaded !== q8);
    const pQ8 = perplexity(await llamaCppLogProbs(checked.model, ids), ids);
    expect(Math.abs(pQ8 - pF32) / pF32).toBeLessThan(0.05);
  });

  it('a GGUF LoRA adapter changes node-llama-cpp outputs exactly as the tfjs LoRA does', async () => {
    const base = join(dir, 'base.gguf');
    writeLlamaGguf(base, model.config, tokenizer, model.exportWeights(), 'f32');
    const lora = model.attachLora({ rank: 4, alpha: 8, targets: ['attn_q', 'attn_v', 'ffn_down'] }, 2);
    for (const v of lora.variables()) v.assign(tf.mul(tf.randomNormal(v.shape, 0, 1, 'float32', 4), 0.5));
    const adapterPath = join(dir, 'adapter.gguf');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(adapterPath, encodeLoraGguf(lora.config, lora.exportMatrices()));
    const m = await load(base);
    const withLora = await llamaCppLogProbs(m, ids, adapterPath);
    const ours = tfjsLogProbs(model, ids);
    expect(maxDiff(ours, withLora)).toBeLessThan(1e-3);
    const plain = await llamaCppLogProbs(m, ids);
    model.lora?.dispose();
    model.lora = undefined;
    expect(maxDiff(tfjsLogProbs(model, ids), plain)).toBeLessThan(1e-3);
    expect(maxDiff(ours, plain)).toBeGreaterThan(0.01);
  });
});
