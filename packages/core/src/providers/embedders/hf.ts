import { InferenceClient } from '@huggingface/inference';
import type { Embedder } from '../types.js';

/** Options of the `hf:` sentence-embedding embedder. */
export interface HfEmbedderOptions {
  /** Hugging Face token; never logged nor put in errors. */
  token?: string;
  /** A TEI-shaped endpoint (featureExtraction POSTs `{inputs}` to it); without it the HF router is used. */
  endpointUrl?: string;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Retries after a 429/5xx or network error (default 3; 503 counts like any other). */
  maxRetries?: number;
  /** Texts per request (default 32). */
  batchSize?: number;
}

const RETRYABLE = /\b(429|500|502|503|504)\b|fetch failed|ECONNRESET|ECONNREFUSED|socket hang up/i;

/** Strips anything that looks like the token from a message. */
function redact(message: string, token: string | undefined): string {
  let out = token ? message.split(token).join('[redacted]') : message;
  out = out.replace(/hf_[A-Za-z0-9]{8,}/g, 'hf_[redacted]').replace(/Bearer\s+\S+/gi, 'Bearer [redacted]');
  return out;
}

/** Mean-pools token vectors when the server returns one vector per token. */
function toSentenceVector(value: unknown): number[] {
  if (Array.isArray(value) && typeof value[0] === 'number') return value as number[];
  if (Array.isArray(value) && Array.isArray(value[0])) {
    const rows = value as number[][];
    if (rows.length === 1 && typeof rows[0][0] === 'number') return rows[0];
    const dim = rows[0].length;
    const out = new Array<number>(dim).fill(0);
    for (const row of rows) for (let i = 0; i < dim; i++) out[i] += Number(row[i]) / rows.length;
    return out;
  }
  throw new Error('featureExtraction returned an unexpected shape');
}

function normalise(values: number[]): Float32Array {
  const v = Float32Array.from(values);
  let n = 0;
  for (const x of v) n += x * x;
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (let i = 0; i < v.length; i++) v[i] *= inv;
  return v;
}

/** Sentence embeddings through `InferenceClient.featureExtraction`, with a timeout and bounded retries. */
export class HfEmbedder implements Embedder {
  readonly ref: string;
  dimension = 0;
  readonly #client: InferenceClient;
  readonly #model: string;
  readonly #options: HfEmbedderOptions;

  constructor(model: string, options: HfEmbedderOptions = {}) {
    if (!model) throw new Error('hf: embedder needs a model id, e.g. hf:sentence-transformers/all-MiniLM-L6-v2');
    this.#model = model;
    this.#options = options;
    this.ref = `hf:${model}`;
    this.#client = new InferenceClient(options.token, options.endpointUrl ? { endpointUrl: options.endpointUrl } : {});
  }

  /** Embeds one probe text to learn the model's dimension. */
  async probe(signal?: AbortSignal): Promise<this> {
    const [v] = await this.embed(['dimension probe'], signal);
    this.dimension = v.length;
    return this;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const batch = this.#options.batchSize ?? 32;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += batch) {
      const part = texts.slice(i, i + batch);
      const raw = await this.#request(part, signal);
      if (!Array.isArray(raw) || raw.length !== part.length) {
        throw new Error(
          `${this.ref}: expected ${part.length} embeddings, got ${Array.isArray(raw) ? raw.length : typeof raw}`,
        );
      }
      for (const item of raw) {
        const v = normalise(toSentenceVector(item));
        if (this.dimension && v.length !== this.dimension) {
          throw new Error(`${this.ref}: dimension changed from ${this.dimension} to ${v.length}`);
        }
        out.push(v);
      }
    }
    return out;
  }

  async #request(inputs: string[], signal?: AbortSignal): Promise<unknown[]> {
    const retries = this.#options.maxRetries ?? 3;
    const timeoutMs = this.#options.timeoutMs ?? 30_000;
    let lastError = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      signal?.throwIfAborted();
      const timeout = AbortSignal.timeout(timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      try {
        // retry_on_error: false, because the client otherwise retries a 503 at once and forever.
        const result = await this.#client.featureExtraction(
          { model: this.#model, inputs },
          { signal: combined, retry_on_error: false },
        );
        return result as unknown[];
      } catch (error) {
        signal?.throwIfAborted();
        const message = redact(error instanceof Error ? error.message : String(error), this.#options.token);
        const status = (error as { httpResponse?: { status?: number } }).httpResponse?.status;
        lastError = timeout.aborted
          ? `timed out after ${timeoutMs} ms`
          : status
            ? `HTTP ${status}: ${message}`
            : message;
        const retryable =
          timeout.aborted ||
          (status !== undefined ? [429, 500, 502, 503, 504].includes(status) : RETRYABLE.test(message));
        if (!retryable || attempt === retries) break;
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** attempt, 2_000)));
      }
    }
    throw new Error(`${this.ref} embedding failed: ${lastError}`);
  }
}
