import { metrics } from '../ops/metrics.js';
import { approxTokens } from './tokens.js';
import type { ChatChunk, ChatModel, ChatRequest, ChatResponse, Embedder, ImageModel } from './types.js';

/**
 * Model wrappers that record every call in the process metrics (ops/metrics.ts): latency with
 * `timeModel(ref, 'chat' | 'embed' | 'image')` and tokens with `modelTokens(ref, 'prompt' |
 * 'completion' | 'embed', n)`, from the provider's usage when it reports one, else counted the
 * model's way (`countTokens`; approximate for embedders). Labels are model references, secrets removed.
 */

/** `target` with `overrides` in place of some members; everything else is the target's own, bound to it. */
function withOverrides<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof T];
      const value = Reflect.get(t, prop, t);
      // class methods may use private fields: call them on the model itself, not on the proxy
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
}

const promptText = (req: ChatRequest) => req.messages.map((m) => m.content).join('\n');

/** Wraps a chat model: `chat`, `stream` and `complete` are timed and their tokens counted. */
export function meteredChat(model: ChatModel): ChatModel {
  const m = metrics();
  const count = (usage: ChatResponse['usage'] | undefined, prompt: () => string, completion: string) => {
    m.modelTokens(model.ref, 'prompt', usage?.promptTokens ?? model.countTokens(prompt()));
    m.modelTokens(model.ref, 'completion', usage?.completionTokens ?? model.countTokens(completion));
  };
  return withOverrides(model, {
    async chat(req) {
      const done = m.timeModel(model.ref, 'chat');
      try {
        const res = await model.chat(req);
        count(res.usage, () => promptText(req), res.text);
        return res;
      } finally {
        done();
      }
    },
    async *stream(req): AsyncGenerator<ChatChunk> {
      const done = m.timeModel(model.ref, 'chat');
      let text = '';
      let usage: ChatResponse['usage'];
      let ended = false;
      try {
        for await (const chunk of model.stream(req)) {
          if (chunk.type === 'text') text += chunk.text;
          else if (chunk.type === 'done') usage = chunk.usage;
          yield chunk;
        }
        ended = true;
      } finally {
        // also when the consumer stops early (a cancelled answer): what was generated was spent;
        // a call that failed before producing anything spent nothing worth counting
        if (ended || text) count(usage, () => promptText(req), text);
        done();
      }
    },
    async complete(prompt, options) {
      const done = m.timeModel(model.ref, 'chat');
      try {
        const out = await model.complete(prompt, options);
        count(undefined, () => prompt, out);
        return out;
      } finally {
        done();
      }
    },
  });
}

/** Wraps an embedder: each `embed` batch is timed and its (approximate) tokens counted. */
export function meteredEmbedder(embedder: Embedder): Embedder {
  const m = metrics();
  return withOverrides(embedder, {
    async embed(texts, signal) {
      const done = m.timeModel(embedder.ref, 'embed');
      try {
        const vectors = await embedder.embed(texts, signal);
        m.modelTokens(
          embedder.ref,
          'embed',
          texts.reduce((n, t) => n + approxTokens(t), 0),
        );
        return vectors;
      } finally {
        done();
      }
    },
  });
}

/** Wraps an image model: each image is timed. */
export function meteredImage(model: ImageModel): ImageModel {
  const m = metrics();
  return withOverrides(model, {
    async textToImage(options) {
      const done = m.timeModel(model.ref, 'image');
      try {
        return await model.textToImage(options);
      } finally {
        done();
      }
    },
  });
}
