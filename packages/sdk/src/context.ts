import type { Permission } from './permissions.js';

/** Where a call comes from. */
export type Surface = 'discord' | 'mcp' | 'cli' | 'web' | 'test';

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

/**
 * Per-plugin, per-guild key-value storage and a private folder; needs `storage`. This is what a
 * host implements; tools see {@link AtomicStorageApi}, which adds `update`.
 */
export interface StorageApi {
  /** The JSON value stored under `key`, or undefined. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores a JSON-serialisable value (at most 1 MiB in Hearth). */
  set(key: string, value: unknown): Promise<void>;
  /** Removes a key; true when it existed. */
  delete(key: string): Promise<boolean>;
  /** Keys starting with `prefix`, sorted. */
  keys(prefix?: string): Promise<string[]>;
  /** Absolute path of the plugin's private data folder (created on first use). */
  dir(): Promise<string>;
}

/** Storage as a tool sees it: {@link StorageApi} plus an atomic read-modify-write. */
export interface AtomicStorageApi extends StorageApi {
  /**
   * Replaces the value of `key` with `fn(current)` and returns it. Updates (and sets) of one key
   * run one after another in the host, so concurrent updates never lose each other's writes.
   * @param key - the key to update
   * @param fn - gets the current value (undefined when unset) and returns the new one
   * @returns the value written
   * @throws PermissionDeniedError when `storage` is not granted
   * @example
   * const n = await ctx.storage.update<number>('count', (n = 0) => n + 1);
   */
  update<T>(key: string, fn: (current: T | undefined) => T | Promise<T>): Promise<T>;
}

/** Structured log lines, tagged with plugin and tool. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Everything a tool's `run` receives besides its input. Service calls check permissions in three
 * steps (declared by the plugin, granted by the operator, held by the caller) and throw a
 * `PermissionDeniedError` saying which failed.
 * @example
 * async run({ city }, ctx) {
 *   ctx.progress(0.1, 'looking up');
 *   const hits = await ctx.knowledge.search(city, { k: 3 }); // needs knowledge:read
 *   if (ctx.signal.aborted) return 'stopped';
 *   return hits.map((h) => h.title).join('\n');
 * }
 */
export interface ToolContext {
  /** Who called: surface, user, guild, channel, roles, admin flag, and an MCP principal's grants. */
  caller: Caller;
  /** Aborted on cancellation or timeout; pass it on to long work and check it in loops. */
  signal: AbortSignal;
  /**
   * Reports progress; the host throttles, so call it as often as convenient.
   * @param fraction - done so far, in [0, 1]
   * @param message - a short label (at most 200 characters are shown)
   */
  progress(fraction: number, message?: string): void;
  /** Structured log lines tagged with plugin, tool, surface, user and guild. */
  log: Logger;
  /** Hearth's configured models (`models:chat`, `models:embed`, `models:image`). */
  models: ModelsApi;
  /** The knowledge base, scoped to the caller's guild (`knowledge:read`, `knowledge:write`). */
  knowledge: KnowledgeApi;
  /** Per-plugin, per-guild key-value storage and a private folder (`storage`). */
  storage: AtomicStorageApi;
  /**
   * `fetch`, allowed when the plugin declares `network`, the operator grants it and the caller has
   * it; aborted with the call. Plugins are trusted code: this gate covers what Hearth hands out,
   * not modules a plugin imports itself (see docs/plugins.md, "Trust").
   * @throws PermissionDeniedError naming which of the three checks failed
   */
  fetch: typeof fetch;
  /** What this call may use: the operator's grant ∩ the declaration ∩ the caller's grants. Read-only. */
  granted: ReadonlySet<Permission>;
}
