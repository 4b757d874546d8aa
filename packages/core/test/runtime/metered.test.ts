import { describe, expect, it } from 'vitest';
import { metrics } from '../../src/ops/metrics.js';
import { meteredChat, meteredEmbedder } from '../../src/providers/metered.js';
import type { ChatChunk, ChatModel, ChatRequest, Embedder } from '../../src/providers/types.js';

async function value(name: string, labels: Record<string, string>): Promise<number> {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = (await metrics().scrape()).body
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** A model class with a private field, as real providers have: the wrapper must call it on itself. */
class WordModel implements ChatModel {
  readonly ref: string;
  readonly supportsTools = false;
  #words: string[];
  constructor(ref: string, words: string[]) {
    this.ref = ref;
    this.#words = words;
  }
  async chat() {
    return {
      text: this.#words.join(' '),
      toolCalls: [],
      finishReason: 'stop' as const,
      usage: { promptTokens: 40, completionTokens: 7 },
    };
  }
  async *stream(_req: ChatRequest): AsyncGenerator<ChatChunk> {
    for (const w of this.#words) yield { type: 'text', text: `${w} ` };
    yield { type: 'done', finishReason: 'stop' };
  }
  async complete() {
    return this.#words[0] ?? '';
  }
  countTokens(text: string) {
    return text.split(/\s+/).filter(Boolean).length;
  }
  extra() {
    return this.#words.length;
  }
}

const req: ChatRequest = { messages: [{ role: 'user', content: 'one two three' }] };

describe('metered models', () => {
  it("takes the provider's usage when it reports one, else counts the model's way", async () => {
    const model = meteredChat(new WordModel('test:usage', ['a', 'b', 'c']));
    await model.chat(req);
    expect(await value('hearth_model_tokens_total', { model: 'test:usage', kind: 'prompt' })).toBe(40);
    expect(await value('hearth_model_tokens_total', { model: 'test:usage', kind: 'completion' })).toBe(7);
    for await (const _ of model.stream(req)) void _;
    expect(await value('hearth_model_tokens_total', { model: 'test:usage', kind: 'prompt' })).toBe(43);
    expect(await value('hearth_model_tokens_total', { model: 'test:usage', kind: 'completion' })).toBe(10);
    expect(await value('hearth_model_latency_seconds_count', { model: 'test:usage', kind: 'chat' })).toBe(2);
    // members the wrapper does not meter still work on the model itself (private fields)
    expect((model as WordModel).extra()).toBe(3);
    expect(model.ref).toBe('test:usage');
  });

  it('a stream the consumer stops early is still timed, and counts what was generated', async () => {
    const model = meteredChat(new WordModel('test:cut', ['w1', 'w2', 'w3', 'w4']));
    for await (const chunk of model.stream(req)) if (chunk.type === 'text') break;
    expect(await value('hearth_model_latency_seconds_count', { model: 'test:cut', kind: 'chat' })).toBe(1);
    expect(await value('hearth_model_tokens_total', { model: 'test:cut', kind: 'completion' })).toBe(1);
  });

  it('times embedding batches and counts their approximate tokens', async () => {
    const inner: Embedder = {
      ref: 'test:embed',
      dimension: 2,
      embed: async (texts) => texts.map(() => new Float32Array([1, 0])),
    };
    const embedder = meteredEmbedder(inner);
    expect(await embedder.embed(['four words in here', 'two words'])).toHaveLength(2);
    expect(embedder.dimension).toBe(2);
    expect(await value('hearth_model_latency_seconds_count', { model: 'test:embed', kind: 'embed' })).toBe(1);
    // approxTokens: ceil(18 / 4) = 5 and ceil(9 / 4) = 3
    expect(await value('hearth_model_tokens_total', { model: 'test:embed', kind: 'embed' })).toBe(8);
  });
});
