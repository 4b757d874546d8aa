import type { ChatMessage, JsonSchema } from '@hearth/sdk';
import {
  type ChatHistoryItem,
  ChatMLChatWrapper,
  type Llama,
  LlamaChatSession,
  LlamaCompletion,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
} from 'node-llama-cpp';
import type { ChatChunk, ChatModel, ChatRequest, ChatResponse } from '../types.js';
import type { ContextPool } from './context-pool.js';

type FinishReason = ChatResponse['finishReason'];

/** Converts Hearth messages to node-llama-cpp history; the last user turn becomes the prompt. */
export function toHistory(messages: ChatMessage[]): { history: ChatHistoryItem[]; prompt: string } {
  if (messages.length === 0) throw new Error('chat request has no messages');
  const items: ChatHistoryItem[] = messages.map((m) => {
    if (m.role === 'system') return { type: 'system', text: m.content };
    if (m.role === 'assistant') return { type: 'model', response: [m.content] };
    if (m.role === 'tool') return { type: 'user', text: `Tool result (${m.toolCallId ?? 'call'}):\n${m.content}` };
    return { type: 'user', text: m.content };
  });
  const last = items.at(-1);
  if (last?.type !== 'user') return { history: items, prompt: '' };
  return { history: items.slice(0, -1), prompt: last.text };
}

/** A pushable async queue bridging node-llama-cpp's callbacks to an async iterator. */
class ChunkQueue {
  private items: ChatChunk[] = [];
  private wake?: () => void;
  private ended = false;
  private error?: unknown;
  push(c: ChatChunk): void {
    this.items.push(c);
    this.wake?.();
  }
  end(err?: unknown): void {
    this.ended = true;
    this.error = err;
    this.wake?.();
  }
  async *drain(): AsyncGenerator<ChatChunk> {
    for (;;) {
      while (this.items.length) yield this.items.shift() as ChatChunk;
      if (this.ended) {
        if (this.error) throw this.error;
        return;
      }
      await new Promise<void>((r) => {
        this.wake = r;
      });
      this.wake = undefined;
    }
  }
}

/** A `ChatModel` over a GGUF file served by node-llama-cpp (CPU). */
export class GgufChatModel implements ChatModel {
  readonly supportsTools = false;
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  private readonly chatml: boolean;

  constructor(
    readonly ref: string,
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly pool: ContextPool,
    private readonly contextSize: number,
    private readonly onClose: () => Promise<void>,
  ) {
    const template = model.fileInfo.metadata?.tokenizer?.chat_template;
    this.chatml = typeof template === 'string' && template.includes('<|im_start|>');
  }

  countTokens(text: string): number {
    return this.model.tokenize(text).length;
  }

  private grammar(schema: JsonSchema | undefined): Promise<LlamaGrammar> | undefined {
    if (!schema) return undefined;
    const key = JSON.stringify(schema);
    let g = this.grammars.get(key);
    if (!g) {
      g = this.llama.createGrammarForJsonSchema(schema as never) as Promise<LlamaGrammar>;
      this.grammars.set(key, g);
      g.catch(() => this.grammars.delete(key));
    }
    return g;
  }

  /** Drops the oldest non-system turns until the prompt leaves room for the answer. */
  private fit(messages: ChatMessage[], maxTokens: number): ChatMessage[] {
    const budget = this.contextSize - maxTokens - 16;
    const cost = (ms: ChatMessage[]) => ms.reduce((s, m) => s + this.countTokens(m.content) + 6, 0);
    const out = [...messages];
    while (cost(out) > budget) {
      const i = out.findIndex((m, idx) => m.role !== 'system' && idx < out.length - 1);
      if (i < 0) break;
      out.splice(i, 1);
    }
    // Still too long: shorten the longest message (usually the system prompt with its sources) from its end.
    for (let guard = 0; cost(out) > budget && guard < 64; guard++) {
      const longest = out.reduce((a, m, idx) => (m.content.length > out[a].content.length ? idx : a), 0);
      const m = out[longest];
      const over = cost(out) - budget;
      const keep = Math.max(
        0,
        m.content.length - Math.ceil((over / Math.max(1, this.countTokens(m.content))) * m.content.length) - 8,
      );
      out[longest] = { ...m, content: m.content.slice(0, keep) };
      if (keep === 0) break;
    }
    return out;
  }

  async *stream(request: ChatRequest): AsyncIterable<ChatChunk> {
    // at most a quarter of the context for the answer: a small model (the shipped one has 256 tokens)
    // otherwise leaves its prompt no room, and node-llama-cpp fails to compress the history
    const maxTokens = Math.max(1, Math.min(request.maxTokens ?? 256, Math.floor(this.contextSize / 4)));
    const { history, prompt } = toHistory(this.fit(request.messages, maxTokens));
    const grammar = await this.grammar(request.jsonSchema);
    const context = await this.pool.acquire(request.adapter);
    let sequence: LlamaContextSequence | undefined;
    const queue = new ChunkQueue();
    try {
      sequence = context.getSequence();
      const session = new LlamaChatSession({
        contextSequence: sequence,
        autoDisposeSequence: false,
        ...(this.chatml ? { chatWrapper: new ChatMLChatWrapper() } : {}),
      });
      session.setChatHistory(history);
      const meter = sequence.tokenMeter;
      const before = { input: meter.usedInputTokens, output: meter.usedOutputTokens };
      const run = session
        .promptWithMeta(prompt, {
          maxTokens,
          temperature: request.temperature ?? 0.7,
          seed: request.seed,
          customStopTriggers: request.stop?.length ? request.stop : undefined,
          grammar,
          signal: request.signal,
          stopOnAbortSignal: true,
          onTextChunk: (text) => queue.push({ type: 'text', text }),
        })
        .then((meta) => {
          const finishReason: FinishReason =
            meta.stopReason === 'maxTokens' ? 'length' : meta.stopReason === 'abort' ? 'cancelled' : 'stop';
          queue.push({
            type: 'done',
            finishReason,
            usage: {
              promptTokens: meter.usedInputTokens - before.input,
              completionTokens: meter.usedOutputTokens - before.output,
            },
          });
          session.dispose({ disposeSequence: false });
          queue.end();
        })
        .catch((err) => queue.end(err));
      yield* queue.drain();
      await run;
    } finally {
      await sequence?.dispose();
      this.pool.release(context, request.adapter);
    }
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    let text = '';
    let finishReason: FinishReason = 'stop';
    let usage: ChatResponse['usage'];
    for await (const c of this.stream(request)) {
      if (c.type === 'text') text += c.text;
      else if (c.type === 'done') {
        finishReason = c.finishReason;
        usage = c.usage;
      }
    }
    return { text, toolCalls: [], finishReason, usage };
  }

  async complete(prompt: string, options: Omit<ChatRequest, 'messages' | 'tools'> = {}): Promise<string> {
    const grammar = await this.grammar(options.jsonSchema);
    const context = await this.pool.acquire(options.adapter);
    const sequence = context.getSequence();
    try {
      const completion = new LlamaCompletion({ contextSequence: sequence });
      const text = await completion.generateCompletion(prompt, {
        maxTokens: options.maxTokens ?? 256,
        temperature: options.temperature ?? 0.7,
        seed: options.seed,
        customStopTriggers: options.stop?.length ? options.stop : undefined,
        grammar,
        signal: options.signal,
        stopOnAbortSignal: true,
      });
      completion.dispose({ disposeSequence: false });
      return text;
    } finally {
      await sequence.dispose();
      this.pool.release(context, options.adapter);
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
    await this.onClose();
  }
}
