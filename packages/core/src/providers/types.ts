import type { ChatMessage, JsonSchema } from '@hearth/sdk';

/** A task a model serves. */
export type ModelTask = 'chat' | 'embed' | 'image';

/** A tool the model may call, in OpenAI function-calling terms. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: JsonSchema;
}

/** An image given to a vision-capable model with a user message. */
export interface ImageInput {
  mimeType: string;
  /** Base64 of the image bytes. */
  data: string;
}

/** A chat message as providers take it: a user message may carry images for vision-capable models. */
export type ProviderMessage = ChatMessage & { images?: ImageInput[] };

/** One chat request to a provider. */
export interface ChatRequest {
  messages: ProviderMessage[];
  tools?: ToolSpec[];
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
  /** Constrain the answer to this JSON Schema (grammar for gguf, response_format for remote). */
  jsonSchema?: JsonSchema;
  /** Name of a LoRA adapter to apply for this request (gguf provider). */
  adapter?: string;
  seed?: number;
  signal?: AbortSignal;
}

/** A tool call the model asked for. */
export interface ToolCall {
  id: string;
  name: string;
  /** JSON text of the arguments, as the model produced it. */
  arguments: string;
}

/** A complete chat answer. */
export interface ChatResponse {
  text: string;
  toolCalls: ToolCall[];
  finishReason: 'stop' | 'length' | 'tool_calls' | 'cancelled';
  usage?: { promptTokens: number; completionTokens: number };
}

/** One streamed piece of an answer. */
export type ChatChunk =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; call: ToolCall }
  | { type: 'done'; finishReason: ChatResponse['finishReason']; usage?: ChatResponse['usage'] };

/** A chat (and completion) model behind one reference such as `hf:org/model`. */
export interface ChatModel {
  /** The reference it was created from, with secrets removed. */
  readonly ref: string;
  /** True when the provider takes `tools` natively; otherwise the engine uses a parsed fallback. */
  readonly supportsTools: boolean;
  /**
   * True when the model sees images given with user messages (OpenAI-compatible `image_url` parts);
   * a model without it must not be sent any. Absent: false.
   */
  readonly supportsImages?: boolean;
  chat(request: ChatRequest): Promise<ChatResponse>;
  stream(request: ChatRequest): AsyncIterable<ChatChunk>;
  /** Plain text completion of a prompt. */
  complete(prompt: string, options?: Omit<ChatRequest, 'messages' | 'tools'>): Promise<string>;
  /** Counts tokens the way this model does (approximate for remote models). */
  countTokens(text: string): number;
  close?(): Promise<void>;
}

/** An embedding model. Vectors are L2-normalised. */
export interface Embedder {
  readonly ref: string;
  readonly dimension: number;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/** A text-to-image model returning PNG bytes. */
export interface ImageModel {
  readonly ref: string;
  textToImage(options: {
    prompt: string;
    negativePrompt?: string;
    width?: number;
    height?: number;
    steps?: number;
    guidance?: number;
    seed?: number;
    signal?: AbortSignal;
  }): Promise<Uint8Array>;
}

/** Maps tasks to models, created lazily from references in config and the environment. */
export interface ModelRegistry {
  /** The chat model for `ref`, or the configured default. Throws a clear error naming what to configure. */
  chat(ref?: string): Promise<ChatModel>;
  embedder(ref?: string): Promise<Embedder>;
  image(ref?: string): Promise<ImageModel>;
  /** Whether a model is configured (or embedded) for a task. */
  has(task: ModelTask): boolean;
  /** The configured reference per task, secrets removed, for `hearth doctor`. */
  describe(): Record<ModelTask, string | undefined>;
  close(): Promise<void>;
}
