import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localModelFile, SHIPPED_MODEL_PATH } from '../local-model-file.js';
import type { ChatModel } from '../types.js';
import { ContextPool } from './context-pool.js';
import { GgufChatModel } from './gguf-chat-model.js';
import { acquireModel, type LoadLog, llamaRuntime, releaseModel } from './runtime.js';

export { GgufChatModel, toHistory } from './gguf-chat-model.js';
export { type LocalModelRuntimeInfo, localModelRuntimeInfo } from './local-info.js';
export type { CheckedModel, LoadLog } from './runtime.js';
export type { SelfCheckResult } from './self-check.js';

/** Options of a `gguf:<path>` chat model. */
export interface GgufChatModelOptions {
  /** GGUF model file. */
  path: string;
  /** Adapter name -> GGUF LoRA file, selectable per request with `request.adapter`. */
  adapters?: Record<string, string>;
  /** Finds adapters added after loading (by name); undefined when there is none. */
  findAdapter?: (name: string) => string | undefined;
  /** CPU threads per context (default 1: more threads decoded ~10x slower on 2 shared cores). */
  threads?: number;
  /** Tokens per context (default: the model's training context, at most 4096). */
  contextSize?: number;
  /** Most concurrent contexts per adapter (default 2). */
  maxContexts?: number;
  /** The reference to report (default `gguf:<path>`). */
  ref?: string;
  /** Where the one load-time line (self-check result, fallback taken) goes; default stderr. */
  log?: LoadLog;
}

export { SHIPPED_MODEL_PATH };

/** A chat model over a GGUF file through node-llama-cpp, with per-request LoRA adapters. */
export async function createGgufChatModel(options: GgufChatModelOptions): Promise<ChatModel> {
  const path = resolve(options.path);
  if (!existsSync(path)) throw new Error(`GGUF model not found: ${path}`);
  for (const [name, file] of Object.entries(options.adapters ?? {})) {
    if (!existsSync(file)) throw new Error(`LoRA adapter "${name}" not found: ${file}`);
  }
  const llama = await llamaRuntime();
  // Self-checked: a file that computes wrong numbers on this CPU is replaced or refused (runtime.ts).
  const { model } = await acquireModel(path, options.log);
  const trained = model.trainContextSize;
  const contextSize = options.contextSize ?? Math.min(trained, 4096);
  const pool = new ContextPool(model, {
    contextSize,
    threads: options.threads ?? 1,
    maxPerAdapter: options.maxContexts ?? 2,
    adapters: { ...options.adapters },
    findAdapter: options.findAdapter,
  });
  return new GgufChatModel(options.ref ?? `gguf:${path}`, llama, model, pool, contextSize, () => releaseModel(path));
}

/**
 * The embedded offline default (`local`): `<dataDir>/models/hearth-local.gguf` when present (a model
 * the user trained), else the model shipped in this package. Adapters in `<dataDir>/adapters/*.gguf`
 * are available by file name.
 */
export async function createLocalChatModel(dataDir?: string, log?: LoadLog): Promise<ChatModel> {
  const path = localModelFile(dataDir);
  if (!existsSync(path))
    throw new Error(
      `the shipped local model is missing (${path}); regenerate it with the command in packages/core/assets/models/README.md`,
    );
  return createGgufChatModel({ path, findAdapter: dataDir ? adaptersIn(dataDir) : undefined, ref: 'local', log });
}

/**
 * Finds `<dataDir>/adapters/<name>.gguf` (where `hearth adapters train` writes) by name when a request
 * first asks for it, so adapters trained while Hearth runs work without a restart.
 */
export function adaptersIn(dataDir: string): (name: string) => string | undefined {
  return (name) => {
    const file = /^[\w-]+$/.test(name) ? join(dataDir, 'adapters', `${name}.gguf`) : undefined;
    return file && existsSync(file) ? file : undefined;
  };
}
