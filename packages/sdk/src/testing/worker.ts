import { Worker } from 'node:worker_threads';
import type { ToolContext } from '../context.js';
import { HearthError } from '../errors.js';

/**
 * The worker side, as plain JavaScript so it runs from sources and builds alike: registers tsx
 * when the plugin module is TypeScript (and tsx is installed), imports the module, runs one tool
 * and forwards every ctx service call to the main thread, where the guarded ctx answers it.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const { pathToFileURL } = require('node:url');
const { moduleUrl, tool, input, caller, granted, has } = workerData;
let next = 1;
const pending = new Map();
const rpc = (method, args) => new Promise((resolve, reject) => {
  const id = next++;
  pending.set(id, { resolve, reject });
  parentPort.postMessage({ type: 'rpc', id, method, args });
});
const controller = new AbortController();
parentPort.on('message', (m) => {
  if (m.type === 'abort') controller.abort(new Error(m.reason));
  if (m.type === 'rpc-result') {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value); else { const e = new Error(m.message); e.name = m.name; e.code = m.code; p.reject(e); }
  }
});
const strip = (o) => { if (!o || typeof o !== 'object') return o; const { signal, ...rest } = o; return rest; };
(async () => {
  try {
    if (/\\.[cm]?tsx?$/.test(new URL(moduleUrl).pathname)) {
      let api;
      try { api = createRequire(moduleUrl).resolve('tsx/esm/api'); } catch {}
      if (!api) throw new Error('the plugin module is TypeScript and tsx is not installed; npm install -D tsx, or pass the built module to createTestHost');
      (await import(pathToFileURL(api.replace(/\\.cjs$/, '.mjs')).href)).register();
    }
    const mod = await import(moduleUrl);
    let plugin = mod.default ?? mod.plugin;
    if (plugin && plugin.default && !plugin.id) plugin = plugin.default;
    const def = plugin.tools.find((t) => t.name === tool);
    const ctx = {
      caller, signal: controller.signal, granted: new Set(granted),
      progress: (fraction, message) => parentPort.postMessage({ type: 'progress', fraction, message }),
      log: Object.fromEntries(['debug', 'info', 'warn', 'error'].map((l) => [l, (message) => parentPort.postMessage({ type: 'log', level: l, message: String(message) })])),
      models: { chat: (o) => rpc('models.chat', [strip(o)]), embed: (t, o) => rpc('models.embed', [t, strip(o)]), textToImage: (o) => rpc('models.textToImage', [strip(o)]), has: (t) => has[t] },
      knowledge: { search: (q, o) => rpc('knowledge.search', [q, o]), add: (s) => rpc('knowledge.add', [s]), remove: (id) => rpc('knowledge.remove', [id]) },
      storage: { get: (k) => rpc('storage.get', [k]), set: (k, v) => rpc('storage.set', [k, v]), delete: (k) => rpc('storage.delete', [k]), keys: (p) => rpc('storage.keys', [p]), dir: () => rpc('storage.dir', []),
        update: async () => { throw new Error('storage.update is not available to worker tools in the test host; use get and set, or run the plugin in Hearth'); } },
      fetch: (u, o) => granted.includes('network') ? fetch(u, { ...o, signal: controller.signal }) : Promise.reject(Object.assign(new Error('"network" is not granted for this call'), { name: 'PermissionDeniedError', code: 'permission_denied' })),
    };
    const value = await def.run(input, ctx);
    parentPort.postMessage({ type: 'result', ok: true, value });
  } catch (err) {
    parentPort.postMessage({ type: 'result', ok: false, name: err?.name ?? 'Error', message: err?.message ?? String(err), code: err?.code });
  }
})();
`;

const FROM_SOURCES = import.meta.url.endsWith('.ts');

/**
 * Runs one `worker: true` tool call in a fresh worker thread, as Hearth does: the tool's ctx stays
 * in this thread (permission checks included) and answers the worker's service calls. The thread
 * ends with the call; a cancelled or timed-out call's thread is terminated.
 */
export function runInWorker(moduleUrl: string, tool: string, input: unknown, ctx: ToolContext): Promise<unknown> {
  const has = { chat: ctx.models.has('chat'), embed: ctx.models.has('embed'), image: ctx.models.has('image') };
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // from Hearth's own sources (its tests), workspace packages resolve to their TypeScript
    ...(FROM_SOURCES ? { execArgv: ['--conditions=hearth-source'] } : {}),
    workerData: { moduleUrl, tool, input, caller: ctx.caller, granted: [...ctx.granted], has },
  });
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      worker.postMessage({ type: 'abort', reason: String((ctx.signal.reason as Error)?.message ?? 'cancelled') });
      setTimeout(() => void worker.terminate(), 200).unref();
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      ctx.signal.removeEventListener('abort', onAbort);
      void worker.terminate();
    };
    worker.on('message', (m: Record<string, unknown>) => {
      if (m.type === 'progress') ctx.progress(m.fraction as number, m.message as string | undefined);
      else if (m.type === 'log') ctx.log[m.level as 'info'](m.message as string);
      else if (m.type === 'rpc') answer(worker, ctx, m);
      else if (m.type === 'result') {
        done();
        if (m.ok) resolve(m.value);
        else reject(wireError(m));
      }
    });
    worker.on('error', (err) => {
      done();
      reject(err);
    });
  });
}

function answer(worker: Worker, ctx: ToolContext, m: Record<string, unknown>): void {
  const [area, fn] = String(m.method).split('.') as ['models' | 'knowledge' | 'storage', string];
  const args = m.args as unknown[];
  Promise.resolve()
    .then(() => (ctx[area] as unknown as Record<string, (...a: unknown[]) => unknown>)[fn]!(...args))
    .then(
      (value) => worker.postMessage({ type: 'rpc-result', id: m.id, ok: true, value }),
      (err: Error & { code?: string }) =>
        worker.postMessage({
          type: 'rpc-result',
          id: m.id,
          ok: false,
          name: err.name,
          message: err.message,
          code: err.code,
        }),
    );
}

/** An error back from the worker; a Hearth error keeps its code (a permission error stays one). */
function wireError(m: Record<string, unknown>): Error {
  const err = typeof m.code === 'string' ? new HearthError(m.code, String(m.message)) : new Error(String(m.message));
  err.name = String(m.name ?? 'Error');
  return err;
}
