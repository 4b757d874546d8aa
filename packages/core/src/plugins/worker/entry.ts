/**
 * Worker-thread side of a plugin's `worker: true` tools. It imports the plugin module again (its
 * own copy, with its own `setup`), runs calls the main thread sends, and forwards the tool's ctx
 * (progress, log, models, knowledge, storage) back as messages; cancellation comes in as `abort`.
 * Permission checks, input validation and timeouts stay in the main thread.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import {
  type AtomicStorageApi,
  type Logger,
  type Permission,
  PermissionDeniedError,
  type PluginDefinition,
  type ToolContext,
} from '@hearth/sdk';
import { ReadonlyPermissionSet } from '@hearth/sdk/host';
import { pluginFromModule } from '../loader.js';
import {
  type FromWorker,
  fromWire,
  type RpcMethod,
  type ToWorker,
  toWire,
  transferables,
  type WorkerInit,
} from './protocol.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
const currentCall = new AsyncLocalStorage<{ callId: number; tool: string }>();

let nextRpc = 1;
const pendingRpc = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const running = new Map<number, AbortController>();
const lifecycle = new AbortController();

function rpc(callId: number | undefined, method: RpcMethod, args: unknown[]): Promise<never> {
  const rpcId = nextRpc++;
  return new Promise((resolve, reject) => {
    pendingRpc.set(rpcId, { resolve: resolve as (v: unknown) => void, reject });
    post({ type: 'rpc', rpcId, callId, method, args });
  });
}

/** Options objects lose their AbortSignal (not cloneable); the main thread adds the call's own. */
function withoutSignal<T extends object | undefined>(o: T): T {
  if (!o || !('signal' in o)) return o;
  const { signal: _drop, ...rest } = o as { signal?: unknown };
  return rest as T;
}

function logger(callId: number | undefined): Logger {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) =>
    post({ type: 'log', callId, level, message: String(message), fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

let nextUpdate = 1;
const updates = new Map<number, (current: unknown) => unknown>();

function storage(callId: number | undefined): AtomicStorageApi {
  return {
    update: <T>(key: string, fn: (current: T | undefined) => T | Promise<T>): Promise<T> => {
      const updateId = nextUpdate++;
      updates.set(updateId, fn as (current: unknown) => unknown);
      return rpc(callId, 'storage.update', [key, updateId]).finally(() => updates.delete(updateId));
    },
    get: (k) => rpc(callId, 'storage.get', [k]),
    set: (k, v) => rpc(callId, 'storage.set', [k, v]),
    delete: (k) => rpc(callId, 'storage.delete', [k]),
    keys: (p) => rpc(callId, 'storage.keys', [p]),
    dir: () => rpc(callId, 'storage.dir', []),
  };
}

function context(msg: Extract<ToWorker, { type: 'call' }>, signal: AbortSignal): ToolContext {
  const { callId } = msg;
  let last = 0;
  return {
    caller: msg.caller,
    signal,
    granted: new ReadonlyPermissionSet(msg.granted),
    // the main thread already checked declaration, operator grant and caller: msg.granted is their intersection
    fetch: (input, options) => {
      if (!msg.granted.includes('network' as Permission))
        return Promise.reject(
          new PermissionDeniedError(
            `Plugin "${init.pluginId}" may not reach the network: "network" is not granted for this call.`,
            {
              reason: 'not_granted',
              permission: 'network',
            },
          ),
        );
      const own = options?.signal;
      return fetch(input, { ...options, signal: own ? AbortSignal.any([own, signal]) : signal });
    },
    log: logger(callId),
    progress(fraction, message) {
      // throttle here too, so a flooding tool cannot flood the message channel
      const now = performance.now();
      if (fraction < 1 && now - last < init.progressIntervalMs) return;
      last = now;
      post({ type: 'progress', callId, fraction, message: message === undefined ? undefined : String(message) });
    },
    models: {
      chat: (o) => rpc(callId, 'models.chat', [withoutSignal(o)]),
      embed: (t, o) => rpc(callId, 'models.embed', [t, withoutSignal(o)]),
      textToImage: (o) => rpc(callId, 'models.textToImage', [withoutSignal(o)]),
      has: (task) => msg.has[task],
    },
    knowledge: {
      search: (q, o) => rpc(callId, 'knowledge.search', [q, o]),
      add: (s) => rpc(callId, 'knowledge.add', [s]),
      remove: (id) => rpc(callId, 'knowledge.remove', [id]),
    },
    storage: storage(callId),
  };
}

async function runCall(plugin: PluginDefinition, msg: Extract<ToWorker, { type: 'call' }>): Promise<void> {
  const controller = new AbortController();
  running.set(msg.callId, controller);
  try {
    const tool = plugin.tools.find((t) => t.name === msg.tool);
    if (!tool) throw new Error(`the worker copy of plugin "${plugin.id}" has no tool "${msg.tool}"`);
    const value = await currentCall.run({ callId: msg.callId, tool: msg.tool }, () =>
      tool.run(msg.input, context(msg, controller.signal)),
    );
    post({ type: 'result', callId: msg.callId, ok: true, value }, transferables(value));
  } catch (err) {
    post({ type: 'result', callId: msg.callId, ok: false, error: toWire(err) });
  } finally {
    running.delete(msg.callId);
  }
}

process.on('unhandledRejection', (reason) => {
  const call = currentCall.getStore();
  const text = reason instanceof Error ? reason.message : String(reason);
  post({
    type: 'log',
    callId: call?.callId,
    level: 'error',
    message: `unhandled promise rejection in the worker${call ? ` (tool ${call.tool})` : ''}: ${text}`,
  });
});

let plugin: PluginDefinition | undefined;
let life: Parameters<NonNullable<PluginDefinition['setup']>>[0] | undefined;

// Listen first: setup's own storage calls need their answers before `ready`.
port.on('message', (msg: ToWorker) => {
  if (msg.type === 'call') {
    if (plugin) void runCall(plugin, msg);
    else
      post({
        type: 'result',
        callId: msg.callId,
        ok: false,
        error: { name: 'Error', message: 'the worker is not ready' },
      });
  } else if (msg.type === 'abort') running.get(msg.callId)?.abort(new Error(msg.reason));
  else if (msg.type === 'update-current') {
    const fn = updates.get(msg.updateId);
    Promise.resolve()
      .then(() => {
        if (!fn) throw new Error('the update already ended');
        return fn(msg.value);
      })
      .then(
        (value) => post({ type: 'update-next', updateId: msg.updateId, ok: true, value }),
        (err) => post({ type: 'update-next', updateId: msg.updateId, ok: false, error: toWire(err) }),
      );
  } else if (msg.type === 'rpc-result') {
    const pending = pendingRpc.get(msg.rpcId);
    pendingRpc.delete(msg.rpcId);
    if (msg.ok) pending?.resolve(msg.value);
    else pending?.reject(fromWire(msg.error));
  } else if (msg.type === 'teardown') {
    lifecycle.abort(new Error('plugin unloaded'));
    for (const c of running.values()) c.abort(new Error('plugin unloaded'));
    Promise.resolve()
      .then(() => (plugin && life ? plugin.teardown?.(life) : undefined))
      .catch((err) => post({ type: 'log', level: 'warn', message: `teardown failed: ${toWire(err).message}` }))
      .finally(() => post({ type: 'closed' }));
  }
});

async function main(): Promise<void> {
  try {
    const loaded = pluginFromModule(await import(init.moduleUrl), init.moduleUrl);
    if (loaded.id !== init.pluginId)
      throw new Error(`the module now exports plugin "${loaded.id}", not "${init.pluginId}"`);
    const granted = new ReadonlyPermissionSet(init.granted);
    life = {
      log: logger(undefined),
      storage: granted.has('storage') ? storage(undefined) : undefined,
      granted,
      signal: lifecycle.signal,
    };
    await loaded.setup?.(life);
    plugin = loaded;
    post({ type: 'ready' });
  } catch (err) {
    post({ type: 'init-error', error: toWire(err) });
  }
}

void main();
