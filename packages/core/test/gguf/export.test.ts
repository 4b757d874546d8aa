import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGguf, GgmlType } from '../../src/local-models/gguf/format.js';
import { readLlamaGguf, writeLlamaGguf } from '../../src/local-models/gguf/llama-gguf.js';
import { dequantizeQ8_0, fromHalf, quantizeQ8_0, toHalf } from '../../src/local-models/gguf/quant.js';
import { tempDir, tinyModel } from '../local-models/helpers.js';

describe('GGUF export and import', () => {
  it('F32 round-trips exactly: weights, config and tokenizer', async () => {
    const { model, tokenizer } = await tinyModel();
    const path = join(tempDir('gguf'), 'm.gguf');
    const weights = model.exportWeights();
    writeLlamaGguf(path, model.config, tokenizer, weights, 'f32');
    const back = readLlamaGguf(path);
    expect(back.config).toEqual(model.config);
    expect(back.tokenizer.tokens).toEqual(tokenizer.tokens);
    expect(back.tokenizer.encode('<|im_start|>hi there', true)).toEqual(tokenizer.encode('<|im_start|>hi there', true));
    for (const [name, w] of Object.entries(weights)) {
      expect(back.weights[name].shape).toEqual(w.shape);
      expect(Buffer.from(back.weights[name].data.buffer).equals(Buffer.from(w.data.buffer))).toBe(true);
    }
    const parsed = decodeGguf(readFileSync(path));
    expect(parsed.metadata['general.architecture']).toBe('llama');
    expect(parsed.metadata['tokenizer.chat_template']).toContain('<|im_start|>');
    model.dispose();
  });

  it('Q8_0 and F16 keep 1-D norms in F32 and stay within their rounding error', async () => {
    const { model, tokenizer } = await tinyModel();
    const weights = model.exportWeights();
    const dir = tempDir('gguf-q');
    for (const [precision, type, tol] of [
      ['q8_0', GgmlType.Q8_0, 1 / 127],
      ['f16', GgmlType.F16, 1 / 1024],
    ] as const) {
      const path = join(dir, `${precision}.gguf`);
      writeLlamaGguf(path, model.config, tokenizer, weights, precision);
      const parsed = decodeGguf(readFileSync(path));
      expect(parsed.tensors.find((t) => t.name === 'blk.0.attn_q.weight')?.type).toBe(type);
      expect(parsed.tensors.find((t) => t.name === 'output_norm.weight')?.type).toBe(GgmlType.F32);
      const back = readLlamaGguf(path);
      for (const [name, w] of Object.entries(weights)) {
        const maxAbs = w.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const err = w.data.reduce((m, v, i) => Math.max(m, Math.abs(v - back.weights[name].data[i])), 0);
        expect(err).toBeLessThanOrEqual(maxAbs * tol + 1e-7);
      }
    }
    model.dispose();
  });

  it('quantization primitives: exact halves, Q8_0 block layout, clear errors', () => {
    for (const v of [0, 1, -2.5, 65504, 6.103515625e-5, 2 ** -24]) expect(fromHalf(toHalf(v))).toBe(v);
    expect(fromHalf(toHalf(1 + 2 ** -11))).toBe(1); // ties to even
    const data = Float32Array.from({ length: 64 }, (_, i) => (i - 32) / 10);
    const q = quantizeQ8_0(data);
    expect(q.length).toBe(68);
    const back = dequantizeQ8_0(q);
    expect(back.reduce((m, v, i) => Math.max(m, Math.abs(v - data[i])), 0)).toBeLessThan(3.2 / 127);
    expect(() => quantizeQ8_0(new Float32Array(33))).toThrow(/multiple of 32/);
  });
});
