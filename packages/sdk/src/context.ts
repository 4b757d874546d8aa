import type { Permission } from './permissions.js';

/** Where a call comes from. */
export type Surface = 'discord' | 'mcp' | 'cli' | 'test';

/** Who is calling a tool: the surface, the user and, on Discord, the guild, channel and roles. */
export interface Caller {
  surface: Surface;
  /** Discord user id, MCP principal name, or the local OS user for the CLI. */
  userId: string;
  /** Display name for replies and logs. */
  displayName?: string;
  guildId?: string;
  channelId?: string;
  /** Role ids (Discord) or role names granted to an MCP principal. */
  roles: string[];
  /** True when the caller may use admin-only tools (Manage Guild, a configured role, the local operator). */
  isAdmin: boolean;
  /**
   * What the operator granted this caller (an MCP principal). When set, a plugin's effective grant
   * is its own grant intersected with this; built-in tools check it too. Undefined: surface defaults.
   */
  grants?: readonly Permission[];
}

/** A chat message for {@link ModelsApi.chat}. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** For `tool` messages: the id of the call this answers. */
  toolCallId?: string;
  /** For `assistant` messages that call tools. */
  toolCalls?: { id: string; name: string; arguments: string }[];
}

/** Options of one chat completion. */
export interface ChatOptions {
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
  /** A JSON Schema the answer must follow (constrained decoding where the provider supports it). */
  jsonSchema?: Record<string, unknown>;
  /** Model reference, e.g. `hf:meta-llama/Llama-3.1-8B-Instruct`; default: the configured chat model. */
  model?: string;
  signal?: AbortSignal;
}

/** Options of one text-to-image call. */
export interface ImageOptions {
  prompt: string;
  negativePrompt?: string;
  width?: number;
  height?: number;
  steps?: number;
  guidance?: number;
  seed?: number;
  model?: string;
  signal?: AbortSignal;
}

/** Core's model providers, as a plugin sees them. Each method needs its `models:*` permission. */
export interface ModelsApi {
  /** One chat completion; needs `models:chat`. */
  chat(options: ChatOptions): Promise<{ text: string; model: string }>;
  /** Embeds texts; needs `models:embed`. */
  embed(texts: string[], options?: { model?: string; signal?: AbortSignal }): Promise<number[][]>;
  /** Text to image, PNG bytes; needs `models:image`. Throws when no image model is configured. */
  textToImage(options: ImageOptions): Promise<Uint8Array>;
  /** Whether a model is configured for a task, so a plugin can pick a local fallback. */
  has(task: 'chat' | 'embed' | 'image'): boolean;
}

/** A knowledge search hit. */
export interface KnowledgeHit {
  id: string;
  sourceId: string;
  title: string;
  text: string;
  score: number;
  /** Where it came from: a path, URL or `discord:` attachment reference. */
  source: string;
  headingPath?: string[];
}

/** The knowledge store, as a plugin sees it, scoped to the caller's guild. */
export interface KnowledgeApi {
  /** Hybrid search; needs `knowledge:read`. */
  search(query: string, options?: { k?: number }): Promise<KnowledgeHit[]>;
  /** Adds a text source; needs `knowledge:write`. Returns the source id. */
  add(source: { title: string; text: string; uri?: string }): Promise<{ sourceId: string; chunks: number }>;
  /** Removes a source; needs `knowledge:write`. */
  remove(sourceId: string): Promise<boolean>;
}

/** Per-plugin, per-guild key-value storage and a private folder; needs `storage`. */
export interface StorageApi {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<boolean>;
  keys(prefix?: string): Promise<string[]>;
  /** Absolute path of the plugin's private data folder (created on first use). */
  dir(): Promise<string>;
}

/** Structured log lines, tagged with plugin and tool. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Everything a tool's `run` receives besides its input. */
export interface ToolContext {
  caller: Caller;
  /** Aborted on cancellation or timeout; pass it on to long work and check it in loops. */
  signal: AbortSignal;
  /** Reports progress in [0, 1]; the host throttles, so call it as often as convenient. */
  progress(fraction: number, message?: string): void;
  log: Logger;
  models: ModelsApi;
  knowledge: KnowledgeApi;
  storage: StorageApi;
  /** Permissions granted to this plugin. */
  granted: ReadonlySet<Permission>;
}
