import type { Caller, Permission } from '@hearth/sdk';
import { HearthError } from '@hearth/sdk';

/** What the worker needs to start: the plugin module to import and its grant. */
export interface WorkerInit {
  moduleUrl: string;
  pluginId: string;
  granted: Permission[];
  /** Minimum ms between progress messages a call posts (the host throttles again). */
  progressIntervalMs: number;
}

/** Service calls a worker forwards to the main thread, which runs them through the guarded ctx. */
export type RpcMethod =
  | 'models.chat'
  | 'models.embed'
  | 'models.textToImage'
  | 'knowledge.search'
  | 'knowledge.add'
  | 'knowledge.remove'
  | 'storage.get'
  | 'storage.set'
  | 'storage.delete'
  | 'storage.keys'
  | 'storage.dir'
  /** args: [key, updateId]; the main thread holds the key's lock and asks the worker for the new value. */
  | 'storage.update';

/** An error as it crosses the thread boundary. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

/** Main thread -> worker. */
export type ToWorker =
  | {
      type: 'call';
      callId: number;
      tool: string;
      input: unknown;
      caller: Caller;
      granted: Permission[];
      has: Record<'chat' | 'embed' | 'image', boolean>;
    }
  | { type: 'abort'; callId: number; reason: string }
  | { type: 'rpc-result'; rpcId: number; ok: true; value: unknown }
  | { type: 'rpc-result'; rpcId: number; ok: false; error: WireError }
  | { type: 'teardown' }
  /** The current value of a `storage.update` in progress; the worker answers with `update-next`. */
  | { type: 'update-current'; updateId: number; value: unknown };

/** Worker -> main thread. `callId` undefined means the plugin's setup/teardown. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'init-error'; error: WireError }
  | { type: 'result'; callId: number; ok: true; value: unknown }
  | { type: 'result'; callId: number; ok: false; error: WireError }
  | { type: 'progress'; callId: number; fraction: number; message?: string }
  | {
      type: 'log';
      callId?: number;
      level: 'debug' | 'info' | 'warn' | 'error';
      message: string;
      fields?: Record<string, unknown>;
    }
  | { type: 'rpc'; rpcId: number; callId?: number; method: RpcMethod; args: unknown[] }
  | { type: 'update-next'; updateId: number; ok: true; value: unknown }
  | { type: 'update-next'; updateId: number; ok: false; error: WireError }
  | { type: 'closed' };

export function toWire(err: unknown): WireError {
  if (err instanceof Error) {
    return {
      name: err.name,
      message: err.message,
      code: (err as { code?: unknown }).code as string | undefined,
      stack: err.stack,
    };
  }
  return { name: 'Error', message: String(err) };
}

/** Rebuilds an error; Hearth errors keep their code (so a permission error stays one). */
export function fromWire(w: WireError): Error {
  const err = w.code && w.name !== 'Error' ? new HearthError(w.code, w.message) : new Error(w.message);
  err.name = w.name;
  if (w.stack) err.stack = w.stack;
  return err;
}

/** ArrayBuffers of a tool result's byte parts that can move (not copy) across threads. */
export function transferables(value: unknown): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const content = (value as { content?: unknown })?.content;
  if (!Array.isArray(content)) return out;
  for (const part of content) {
    const data = (part as { data?: unknown })?.data;
    // only whole, unshared buffers: a pooled Buffer's backing store holds other data too
    if (
      data instanceof Uint8Array &&
      data.byteOffset === 0 &&
      data.byteLength === data.buffer.byteLength &&
      data.buffer instanceof ArrayBuffer
    ) {
      if (!out.includes(data.buffer)) out.push(data.buffer);
    }
  }
  return out;
}
