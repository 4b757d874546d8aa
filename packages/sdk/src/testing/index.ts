/**
 * A test host for plugin authors: load a plugin, call its tools as a chosen caller, and assert on
 * results, progress and errors without Discord or MCP. It runs the same call wrapper as Hearth.
 * @packageDocumentation
 */
import type { AtomicStorageApi, Caller, Logger } from '../context.js';
import { HearthError, PluginDefinitionError } from '../errors.js';
import { runAutocomplete, type Suggestion } from '../host/autocomplete.js';
import { guardedContext, permissionProblem, ReadonlyPermissionSet } from '../host/guard.js';
import { invokeTool } from '../host/invoke.js';
import { guardedStorage, withAtomicUpdate } from '../host/storage.js';
import type { Permission } from '../permissions.js';
import { type PluginDefinition, validatePlugin } from '../plugin.js';
import type { ToolResult } from '../results.js';
import { fieldsFromJsonSchema, toJsonSchema } from '../schema/fields.js';
import { surfaceProblems } from '../schema/surfaces.js';
import { type FakeModels, fakeModels, memoryKnowledge, memoryStorage } from './memory-services.js';
import { runInWorker } from './worker.js';

export { type FakeModels, fakeModels, memoryKnowledge, memoryStorage };

/** Hearth's default per-tool time limit (config `plugins.timeoutMs`), used by the test host too. */
export const DEFAULT_TOOL_TIMEOUT_MS = 60_000;

/** Options of {@link createTestHost}. */
export interface TestHostOptions {
  /**
   * What the operator grants, as `plugins.grants[id]` would; default: everything the plugin
   * declares. A permission the plugin does not declare is rejected, as Hearth never grants it.
   */
  grant?: Permission[];
  models?: FakeModels;
  /**
   * Caps every call's time limit (a tool's own `timeoutMs` too, when longer). Default: the tool's
   * `timeoutMs`, else Hearth's 60 s.
   */
  timeoutMs?: number;
  /** `fetch` behind `ctx.fetch` (needs `network`); default the global one. */
  fetch?: typeof fetch;
  /**
   * The plugin's module (`new URL('../src/index.ts', import.meta.url)`): `worker: true` tools then
   * run in a real worker thread, a fresh one per call, as in Hearth (a TypeScript module needs
   * `tsx` installed). Without it they run in the test's own thread.
   */
  moduleUrl?: string | URL;
}

/** What one call produced: the result or the error, and every progress report. */
export interface TestCall {
  result?: ToolResult;
  error?: HearthError;
  progress: { fraction: number; message?: string }[];
  logs: { level: string; message: string }[];
}

/** Options of one {@link TestHost.call}. */
export interface TestCallOptions {
  /** Merged over {@link testCaller}; `grants` limits the call as an MCP principal's grants do. */
  caller?: Partial<Caller>;
  signal?: AbortSignal;
}

/** A loaded plugin under test. */
export interface TestHost {
  plugin: PluginDefinition;
  knowledge: ReturnType<typeof memoryKnowledge>;
  /**
   * Calls a tool by its short name, through the same wrapper, permission checks and time limits
   * as Hearth.
   * @param tool - the tool's own name (`greet`, not `my-plugin_greet`)
   * @param input - the raw input; validated against the tool's zod schema
   * @returns the result or the error (never throws for tool errors), progress reports and log lines
   * @throws Error when the plugin has no such tool
   */
  call(tool: string, input: unknown, options?: TestCallOptions): Promise<TestCall>;
  /**
   * Asks a field's autocomplete handler for suggestions, with Hearth's time limit.
   * @returns `{ name, value }` suggestions (at most 25); none when the handler fails or is too slow
   */
  autocomplete(
    tool: string,
    field: string,
    partial: string,
    options?: { caller?: Partial<Caller>; input?: Record<string, unknown> },
  ): Promise<Suggestion[]>;
  /** The storage of one guild (`''`: the global scope `setup` uses), as the plugin sees it. */
  storage(guildId?: string): AtomicStorageApi;
  /** Runs `teardown`. */
  close(): Promise<void>;
}

/** The default caller: a non-admin Discord user in guild `g1`. */
export const testCaller: Caller = {
  surface: 'test',
  userId: 'u1',
  guildId: 'g1',
  channelId: 'c1',
  roles: [],
  isAdmin: false,
};

/**
 * Validates the plugin as the Hearth host would (manifest and every surface's limits), runs
 * `setup`, and returns a host to call its tools. Storage is per guild, `setup` gets the global
 * scope, the default time limit is Hearth's (60 s), and permissions are checked in the same three
 * steps (declared by the plugin, granted by the operator, held by the caller).
 * @param plugin - the plugin, as `definePlugin` returned it
 * @param options - grants, scripted models, a time-limit cap
 * @returns a host whose `call` runs tools like Hearth does
 * @throws PluginDefinitionError when the manifest or a tool's input schema is invalid, or `grant`
 * names a permission the plugin does not declare
 * @example
 * const host = await createTestHost(plugin, { grant: ['storage'] });
 * const { result, error } = await host.call('greet', { name: 'Ada' });
 */
export async function createTestHost(plugin: PluginDefinition, options: TestHostOptions = {}): Promise<TestHost> {
  validatePlugin(plugin);
  for (const tool of plugin.tools) {
    const fields = fieldsFromJsonSchema(toJsonSchema(tool.input), Object.keys(tool.autocomplete ?? {}));
    const problems = surfaceProblems(fields);
    if (problems.length)
      throw new PluginDefinitionError(`plugin "${plugin.id}", tool "${tool.name}": ${problems.join('; ')}`);
  }
  const undeclared = (options.grant ?? []).filter((p) => !plugin.permissions.includes(p));
  if (undeclared.length) {
    throw new PluginDefinitionError(
      `createTestHost: grant lists ${undeclared.map((p) => `"${p}"`).join(', ')}, which plugin "${plugin.id}" does not declare; Hearth never grants an undeclared permission (add it to the plugin's permissions).`,
    );
  }
  const declared = [...new Set(plugin.permissions)];
  const granted = new ReadonlyPermissionSet(options.grant ?? declared);
  const knowledge = memoryKnowledge();
  const stores = new Map<string, AtomicStorageApi>();
  const storageOf = (guildId = '') => {
    let store = stores.get(guildId);
    if (!store) {
      store = withAtomicUpdate(memoryStorage());
      stores.set(guildId, store);
    }
    return store;
  };
  const models = fakeModels(options.models);
  const services = (caller: Caller) => ({
    models,
    knowledge,
    storage: storageOf(caller.guildId),
    fetch: options.fetch,
  });
  const lifecycle = {
    log: silentLog([]),
    storage: granted.has('storage') ? storageOf('') : undefined,
    granted,
    signal: new AbortController().signal,
  };
  await plugin.setup?.(lifecycle);
  const toolOf = (name: string) => {
    const tool = plugin.tools.find((t) => t.name === name);
    if (!tool)
      throw new Error(
        `plugin "${plugin.id}" has no tool "${name}"; it has ${plugin.tools.map((t) => t.name).join(', ')}`,
      );
    return tool;
  };
  return {
    plugin,
    knowledge,
    storage: storageOf,
    async call(toolName, input, callOptions = {}) {
      const tool = toolOf(toolName);
      const call: TestCall = { progress: [], logs: [] };
      const caller = { ...testCaller, ...callOptions.caller };
      const own = tool.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
      const moduleUrl = options.moduleUrl && String(options.moduleUrl);
      const runnable: typeof tool =
        tool.worker && moduleUrl
          ? { ...tool, run: (parsed, ctx) => runInWorker(moduleUrl, tool.name, parsed, ctx) as never }
          : tool;
      try {
        call.result = await invokeTool(runnable, input, {
          caller,
          displayName: `${plugin.id}_${tool.name}`,
          timeoutMs: options.timeoutMs === undefined ? own : Math.min(own, options.timeoutMs),
          signal: callOptions.signal,
          progressIntervalMs: 0,
          onProgress: (fraction, message) => call.progress.push({ fraction, message }),
          makeContext: (signal, progress) =>
            guardedContext({
              pluginId: plugin.id,
              caller,
              declared,
              granted,
              signal,
              progress,
              log: silentLog(call.logs),
              services: services(caller),
            }),
        });
      } catch (err) {
        if (!(err instanceof HearthError)) throw err;
        call.error = err;
      }
      return call;
    },
    async autocomplete(toolName, field, partial, o = {}) {
      const handler = toolOf(toolName).autocomplete?.[field];
      if (!handler) return [];
      const caller = { ...testCaller, ...o.caller };
      const storage = guardedStorage(storageOf(caller.guildId), () => {
        const problem = permissionProblem({ pluginId: plugin.id, caller, declared, granted }, 'storage', 'use storage');
        if (problem) throw problem;
      });
      return runAutocomplete(handler, partial, { caller, storage, input: o.input ?? {} });
    },
    async close() {
      await plugin.teardown?.(lifecycle);
    },
  };
}

function silentLog(sink: { level: string; message: string }[]): Logger {
  const at = (level: string) => (message: string) => void sink.push({ level, message });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
