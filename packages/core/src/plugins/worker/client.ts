import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AtomicStorageApi, Permission, ToolContext } from '@hearth/sdk';
import type { HearthLogger } from '../../log/logger.js';
import { SOURCE_MODE } from '../loader.js';
import { type FromWorker, fromWire, type RpcMethod, type ToWorker, toWire, type WorkerInit } from './protocol.js';

/** Options of one plugin's worker thread. */
export interface PluginWorkerOptions {
  pluginId: string;
  moduleUrl: string;
  granted: Permission[];
  log: HearthLogger;
  /** The plugin's global storage for its worker-side `setup`/`teardown` (present when granted). */
  lifecycleStorage?: AtomicStorageApi;
  /** How long a cancelled or timed-out call may keep running before the thread is terminated. */
  graceMs: number;
  /** Limit for importing the module and running its `setup` in the thread. */
  startTimeoutMs: number;
}

interface PendingCall {
  tool: string;
  /** The thread running it: a retired thread's calls finish there while new calls go to a fresh one. */
  worker: Worker;
  ctx: ToolContext;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  cleanup: () => void;
}

/**
 * One worker thread running a plugin's `worker: true` tools. Started on first use (or by
 * `start()`). A cancelled or timed-out call retires its thread at once: the next call starts on a
 * fresh thread, while the retired one gets `graceMs` to stop (then it is terminated, failing only
 * its own calls) or is closed when its last call ends. The tool's ctx stays in the main thread:
 * the worker's service calls come back here and run through the same permission-checked ctx.
 */
export class PluginWorker {
  private worker?: Worker;
  private starting?: Promise<Worker>;
  private readonly calls = new Map<number, PendingCall>();
  /** Threads that ran a cancelled call: no new calls go there. */
  private readonly retired = new Set<Worker>();
  private nextCall = 1;
  /** `storage.update`s waiting for the worker to compute the new value. */
  private readonly updates = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(private readonly options: PluginWorkerOptions) {}

  /** Starts the thread (import + worker-side setup); resolves when it is ready. */
  start(): Promise<Worker> {
    if (this.closed) return Promise.reject(new Error(`plugin "${this.options.pluginId}" was unloaded`));
    this.starting ??= Promise.resolve()
      .then(() => this.spawn())
      .catch((err) => {
        this.starting = undefined;
        throw err;
      });
    return this.starting;
  }

  /** Runs one tool call in the thread; `ctx` is the guarded context of the main-thread call. */
  async run(tool: string, input: unknown, ctx: ToolContext): Promise<unknown> {
    let worker = await abortable(this.start(), ctx.signal);
    // a thread retired (a call on it was stopped) while this call waited for it takes no new calls:
    // without this, calls started together with a stopped one could land on the thread about to be killed
    while (this.retired.has(worker)) worker = await abortable(this.start(), ctx.signal);
    const callId = this.nextCall++;
    return new Promise((resolve, reject) => {
      let killTimer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        worker.postMessage({
          type: 'abort',
          callId,
          reason: String((ctx.signal.reason as Error)?.message ?? 'cancelled'),
        } satisfies ToWorker);
        // a thread that may be stuck takes no new calls: the next one starts on a fresh thread
        this.retire(worker);
        killTimer = setTimeout(() => {
          if (this.calls.has(callId))
            this.kill(worker, `tool "${tool}" kept running ${this.options.graceMs} ms after it was stopped`);
        }, this.options.graceMs);
        killTimer.unref?.();
      };
      const cleanup = () => {
        ctx.signal.removeEventListener('abort', onAbort);
        clearTimeout(killTimer);
      };
      this.calls.set(callId, { tool, worker, ctx, resolve, reject, cleanup });
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const has = { chat: ctx.models.has('chat'), embed: ctx.models.has('embed'), image: ctx.models.has('image') };
      const message: ToWorker = {
        type: 'call',
        callId,
        tool,
        input,
        caller: ctx.caller,
        granted: [...ctx.granted],
        has,
      };
      worker.postMessage(message);
      if (ctx.signal.aborted) onAbort();
    });
  }

  /** Runs the worker-side `teardown` (bounded by `timeoutMs`) and ends the thread. */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    const worker = this.worker ?? (await this.starting?.catch(() => undefined));
    const unloaded = new Error(`plugin "${this.options.pluginId}" was unloaded`);
    await Promise.all([...this.retired].map((w) => this.shutdown(w, timeoutMs, unloaded)));
    if (worker) await this.shutdown(worker, timeoutMs, unloaded);
  }

  /** Runs the thread's `teardown` (bounded by `timeoutMs`), then terminates it. */
  private async shutdown(worker: Worker, timeoutMs: number, error: Error): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'closed') done();
      });
      worker.on('exit', done);
      worker.postMessage({ type: 'teardown' } satisfies ToWorker);
    });
    await this.terminate(worker, error);
  }

  /** Stops sending calls to `worker`; it is closed once its last call has ended. */
  private retire(worker: Worker): void {
    if (this.retired.has(worker)) return;
    this.forget(worker);
    this.retired.add(worker);
    this.closeIfIdle(worker);
  }

  private closeIfIdle(worker: Worker): void {
    if (!this.retired.has(worker) || [...this.calls.values()].some((c) => c.worker === worker)) return;
    void this.shutdown(worker, this.options.graceMs, new Error('the worker thread was retired'));
  }

  private spawn(): Promise<Worker> {
    const init: WorkerInit = {
      moduleUrl: this.options.moduleUrl,
      pluginId: this.options.pluginId,
      granted: this.options.granted,
      progressIntervalMs: 50,
    };
    const worker = SOURCE_MODE
      ? new Worker(sourceBootstrap(), { eval: true, workerData: init, execArgv: ['--conditions=hearth-source'] })
      : new Worker(builtEntryUrl(), { workerData: init });
    this.worker = worker;
    return new Promise<Worker>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `plugin "${this.options.pluginId}": the worker thread did not start within ${this.options.startTimeoutMs} ms`,
          ),
        );
        void this.terminate(worker, new Error('worker start timed out'));
      }, this.options.startTimeoutMs);
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve(worker);
        } else if (m.type === 'init-error') {
          clearTimeout(timer);
          reject(new Error(`plugin "${this.options.pluginId}" failed to start in a worker thread: ${m.error.message}`));
          void this.terminate(worker, new Error('worker failed to start'));
        } else this.onMessage(worker, m);
      });
      worker.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
        this.options.log.error(
          { err: err.message },
          'plugin worker thread crashed; its running calls failed, the next call starts a new thread',
        );
        this.failAll(worker, new Error(`the worker thread crashed: ${err.message}`));
        this.forget(worker);
        this.retired.delete(worker);
      });
      worker.on('exit', () => {
        clearTimeout(timer);
        reject(new Error('the worker thread exited during start'));
        this.failAll(worker, new Error('the worker thread exited'));
        this.forget(worker);
        this.retired.delete(worker);
      });
    });
  }

  private onMessage(worker: Worker, m: FromWorker): void {
    if (m.type === 'result') {
      const call = this.calls.get(m.callId);
      if (!call) return;
      this.calls.delete(m.callId);
      call.cleanup();
      if (m.ok) call.resolve(m.value);
      else call.reject(fromWire(m.error));
      this.closeIfIdle(worker);
    } else if (m.type === 'progress') {
      this.calls.get(m.callId)?.ctx.progress(m.fraction, m.message);
    } else if (m.type === 'log') {
      const tool = m.callId === undefined ? undefined : this.calls.get(m.callId)?.tool;
      this.options.log[m.level]({ ...m.fields, tool, thread: 'worker' }, m.message);
    } else if (m.type === 'rpc') {
      this.answerRpc(worker, m);
    } else if (m.type === 'update-next') {
      const pending = this.updates.get(m.updateId);
      this.updates.delete(m.updateId);
      if (m.ok) pending?.resolve(m.value);
      else pending?.reject(fromWire(m.error));
    }
  }

  private answerRpc(worker: Worker, m: Extract<FromWorker, { type: 'rpc' }>): void {
    const reply = (r: { ok: true; value: unknown } | { ok: false; error: ReturnType<typeof toWire> }) =>
      worker.postMessage({ type: 'rpc-result', rpcId: m.rpcId, ...r } as ToWorker);
    Promise.resolve()
      .then(() => this.service(worker, m.callId, m.method, m.args))
      .then(
        (value) => reply({ ok: true, value }),
        (err) => reply({ ok: false, error: toWire(err) }),
      );
  }

  private service(worker: Worker, callId: number | undefined, method: RpcMethod, args: unknown[]): unknown {
    // biome-ignore lint/suspicious/noExplicitAny: arguments come from the plugin's own typed calls in the worker
    const a = args as any[];
    if (method === 'storage.update') {
      const storage = callId === undefined ? this.options.lifecycleStorage : this.calls.get(callId)?.ctx.storage;
      if (!storage)
        throw new Error(callId === undefined ? 'setup/teardown may not use storage' : 'the call already ended');
      // the key stays locked here while the worker computes the new value from the current one
      return storage.update(a[0], (value) => {
        const updateId = a[1] as number;
        return new Promise((resolve, reject) => {
          this.updates.set(updateId, { resolve, reject });
          worker.postMessage({ type: 'update-current', updateId, value } satisfies ToWorker);
        });
      });
    }
    if (callId === undefined) {
      const storage = this.options.lifecycleStorage;
      if (!storage || !method.startsWith('storage.')) throw new Error(`setup/teardown may not call ${method}`);
      return callStorage(storage, method, a);
    }
    const ctx = this.calls.get(callId)?.ctx;
    if (!ctx) throw new Error('the call already ended');
    switch (method) {
      case 'models.chat':
        return ctx.models.chat(a[0]);
      case 'models.embed':
        return ctx.models.embed(a[0], a[1]);
      case 'models.textToImage':
        return ctx.models.textToImage(a[0]);
      case 'knowledge.search':
        return ctx.knowledge.search(a[0], a[1]);
      case 'knowledge.add':
        return ctx.knowledge.add(a[0]);
      case 'knowledge.remove':
        return ctx.knowledge.remove(a[0]);
      default:
        return callStorage(ctx.storage, method, a);
    }
  }

  private kill(worker: Worker, reason: string): void {
    this.options.log.warn({ reason }, 'terminating plugin worker thread; the next call starts a new one');
    void this.terminate(worker, new Error(`the worker thread was terminated: ${reason}`));
  }

  /** Ends one thread, failing only the calls that ran on it. */
  private async terminate(worker: Worker, error: Error): Promise<void> {
    this.failAll(worker, error);
    this.forget(worker);
    this.retired.delete(worker);
    await worker.terminate();
  }

  private forget(worker: Worker): void {
    if (this.worker === worker) {
      this.worker = undefined;
      this.starting = undefined;
    }
  }

  private failAll(worker: Worker, error: Error): void {
    for (const pending of this.updates.values()) pending.reject(error);
    this.updates.clear();
    for (const [id, call] of this.calls) {
      if (call.worker !== worker) continue;
      this.calls.delete(id);
      call.cleanup();
      call.reject(error);
    }
  }
}

// biome-ignore lint/suspicious/noExplicitAny: see service()
function callStorage(storage: AtomicStorageApi, method: RpcMethod, a: any[]): unknown {
  switch (method) {
    case 'storage.get':
      return storage.get(a[0]);
    case 'storage.set':
      return storage.set(a[0], a[1]);
    case 'storage.delete':
      return storage.delete(a[0]);
    case 'storage.keys':
      return storage.keys(a[0]);
    case 'storage.dir':
      return storage.dir();
    default:
      throw new Error(`unknown service call ${method}`);
  }
}

/**
 * From sources, the worker registers tsx before importing the TypeScript entry, and resolves
 * workspace packages with the `hearth-source` condition, as the main thread does.
 */
function sourceBootstrap(): string {
  const tsx = tsxApiUrl();
  const entry = new URL('./entry.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
}

/**
 * The built worker entry: next to this module when built file-for-file, or at
 * `plugins/worker/entry.js` under the chunk's folder when tsup bundles core with splitting (core's
 * tsup config must list `src/plugins/worker/entry.ts` as an entry).
 */
function builtEntryUrl(): URL {
  const candidates = [new URL('./entry.js', import.meta.url), new URL('./plugins/worker/entry.js', import.meta.url)];
  const found = candidates.find((u) => existsSync(u));
  if (!found) {
    throw new Error(
      `the worker entry is missing from this build (looked for ${candidates.map((u) => u.pathname).join(', ')})`,
    );
  }
  return found;
}

/** tsx's ESM register API (its CommonJS build cannot register ESM hooks when imported from a worker). */
function tsxApiUrl(): string {
  try {
    if (typeof import.meta.resolve === 'function') return import.meta.resolve('tsx/esm/api');
  } catch {
    // not available under every test runner; fall through
  }
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const mjs = cjs.replace(/\.cjs$/, '.mjs');
  return pathToFileURL(existsSync(mjs) ? mjs : cjs).href;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
