import type { LlamaContext, LlamaModel } from 'node-llama-cpp';

/** Options for the contexts a pool creates. */
export interface ContextPoolOptions {
  contextSize: number;
  threads: number;
  /** Most contexts alive per adapter (each holds its own KV cache). */
  maxPerAdapter: number;
  /** Adapter name -> GGUF LoRA file. */
  adapters: Record<string, string>;
  /** Finds an adapter not in `adapters` (e.g. trained after the model loaded); undefined if none. */
  findAdapter?: (name: string) => string | undefined;
}

/**
 * Contexts over one loaded model, keyed by LoRA adapter: a context is created with its adapter
 * applied (llama.cpp attaches LoRA per context), so switching adapters never reloads the base
 * weights. Requests beyond `maxPerAdapter` wait for a context to be released.
 */
export class ContextPool {
  private readonly idle = new Map<string, LlamaContext[]>();
  private readonly count = new Map<string, number>();
  private readonly waiters = new Map<string, ((c: LlamaContext) => void)[]>();
  private readonly all = new Set<LlamaContext>();
  private closed = false;

  constructor(
    private readonly model: LlamaModel,
    private readonly options: ContextPoolOptions,
  ) {}

  /** Gets a context for `adapter` (undefined: the base model). */
  async acquire(adapter?: string): Promise<LlamaContext> {
    if (this.closed) throw new Error('the gguf model is closed');
    const key = adapter ?? '';
    if (key && !(key in this.options.adapters)) {
      const found = this.options.findAdapter?.(key);
      if (found) this.options.adapters[key] = found;
    }
    if (key && !(key in this.options.adapters)) {
      const known = Object.keys(this.options.adapters);
      throw new Error(`unknown adapter "${key}"; configured: ${known.length ? known.join(', ') : 'none'}`);
    }
    const free = this.idle.get(key)?.pop();
    if (free) return free;
    const n = this.count.get(key) ?? 0;
    if (n < this.options.maxPerAdapter) {
      this.count.set(key, n + 1);
      try {
        const ctx = await this.model.createContext({
          contextSize: this.options.contextSize,
          threads: this.options.threads,
          sequences: 1,
          ...(key ? { lora: { adapters: [{ filePath: this.options.adapters[key] }] } } : {}),
        });
        this.all.add(ctx);
        return ctx;
      } catch (err) {
        this.count.set(key, n);
        throw err;
      }
    }
    return new Promise((resolve) => {
      const list = this.waiters.get(key) ?? [];
      list.push(resolve);
      this.waiters.set(key, list);
    });
  }

  /** Returns a context (its sequences must be disposed by the caller first). */
  release(ctx: LlamaContext, adapter?: string): void {
    const key = adapter ?? '';
    if (this.closed) {
      void ctx.dispose();
      return;
    }
    const next = this.waiters.get(key)?.shift();
    if (next) next(ctx);
    else this.idle.set(key, [...(this.idle.get(key) ?? []), ctx]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.all].map((c) => c.dispose()));
    this.all.clear();
    this.idle.clear();
  }
}
