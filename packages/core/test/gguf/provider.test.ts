import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '@hearth/ml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLoraGguf, writeLlamaGguf } from '../../src/local-models/gguf/llama-gguf.js';
import { createGgufChatModel, toHistory } from '../../src/providers/gguf/index.js';
import type { ChatModel, ChatRequest } from '../../src/providers/types.js';
import { tempDir, tinyModel } from '../local-models/helpers.js';

describe('gguf chat provider (node-llama-cpp) on a small GGUF written by the test', () => {
  const dir = tempDir('provider');
  let chat: ChatModel;
  const ask: ChatRequest = {
    messages: [{ role: 'user', content: 'Tell me about the jury.' }],
    temperature: 0,
    maxTokens: 24,
  };

  beforeAll(async () => {
    const { model, tokenizer } = await tinyModel(21);
    const config = { ...model.config };
    writeLlamaGguf(join(dir, 'm.gguf'), config, tokenizer, model.exportWeights(), 'q8_0');
    const lora = model.attachLora({ rank: 4, alpha: 8, targets: ['attn_q', 'attn_v', 'ffn_down'] }, 2);
    for (const v of lora.variables()) v.assign(tf.mul(tf.randomNormal(v.shape, 0, 1, 'float32', 5), 2));
    writeFileSync(join(dir, 'style.gguf'), encodeLoraGguf(lora.config, lora.exportMatrices()));
    model.dispose();
    chat = await createGgufChatModel({
      path: join(dir, 'm.gguf'),
      adapters: { style: join(dir, 'style.gguf') },
      threads: 1,
    });
  });
  afterAll(async () => {
    await chat?.close?.();
  });

  it('streams text chunks then one done chunk with usage; chat() returns the same text at temperature 0', async () => {
    const chunks: string[] = [];
    let done: unknown;
    for await (const c of chat.stream(ask)) {
      if (c.type === 'text') chunks.push(c.text);
      if (c.type === 'done') done = c;
    }
    expect(chunks.length).toBeGreaterThan(1);
    expect(done).toMatchObject({ type: 'done', usage: { completionTokens: expect.any(Number) } });
    const whole = await chat.chat(ask);
    expect(whole.text).toBe(chunks.join(''));
    expect(['stop', 'length']).toContain(whole.finishReason);
    expect(chat.countTokens('hello world')).toBeGreaterThan(0);
  });

  it('stops before a stop sequence', async () => {
    const full = (await chat.chat({ ...ask, maxTokens: 40 })).text;
    const stop = full.slice(Math.floor(full.length / 2), Math.floor(full.length / 2) + 3);
    expect(stop.length).toBe(3);
    const cut = await chat.chat({ ...ask, maxTokens: 40, stop: [stop] });
    expect(full.startsWith(cut.text)).toBe(true);
    expect(cut.text).not.toContain(stop);
    expect(cut.text.length).toBeLessThanOrEqual(full.indexOf(stop));
  });

  it('constrains output to a JSON schema with a grammar', async () => {
    const schema = { type: 'object', properties: { color: { enum: ['red', 'green'] } }, required: ['color'] };
    const r = await chat.chat({ ...ask, jsonSchema: schema, maxTokens: 30 });
    expect(['red', 'green']).toContain(JSON.parse(r.text).color);
  });

  it('applies a LoRA adapter per request without touching the base, and rejects unknown adapters', async () => {
    const base1 = await chat.chat(ask);
    const styled = await chat.chat({ ...ask, adapter: 'style' });
    const base2 = await chat.chat(ask);
    expect(styled.text).not.toBe(base1.text);
    expect(base2.text).toBe(base1.text);
    await expect(chat.chat({ ...ask, adapter: 'nope' })).rejects.toThrow(/unknown adapter "nope"; configured: style/);
  });

  it('serves concurrent requests from its context pool and completes plain prompts', async () => {
    const [a, b, c] = await Promise.all([chat.chat(ask), chat.chat(ask), chat.chat(ask)]);
    expect(b.text).toBe(a.text);
    expect(c.text).toBe(a.text);
    const text = await chat.complete('The jury', { maxTokens: 5, temperature: 0 });
    expect(typeof text).toBe('string');
    expect(chat.ref).toBe(`gguf:${join(dir, 'm.gguf')}`);
  });

  it('maps Hearth messages to a chat history and a prompt; missing files fail clearly', async () => {
    const { history, prompt } = toHistory([
      { role: 'system', content: 's' },
      { role: 'user', content: 'u1' },
      { role: 'assistant', content: 'a1' },
      { role: 'user', content: 'u2' },
    ]);
    expect(prompt).toBe('u2');
    expect(history).toEqual([
      { type: 'system', text: 's' },
      { type: 'user', text: 'u1' },
      { type: 'model', response: ['a1'] },
    ]);
    await expect(createGgufChatModel({ path: join(dir, 'missing.gguf') })).rejects.toThrow(/GGUF model not found/);
  });
});
