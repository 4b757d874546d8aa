/**
 * A test host for plugin authors: load a plugin, call its tools as a chosen caller, and assert on
 * results, progress and errors without Discord or MCP. It runs the same call wrapper as Hearth.
 * @packageDocumentation
 */
import type { Caller, Logger } from '../context.js';
import { HearthError } from '../errors.js';
import { guardedContext } from '../host/guard.js';
import { invokeTool } from '../host/invoke.js';
import type { Permission } from '../permissions.js';
import { type PluginDefinition, validatePlugin } from '../plugin.js';
import type { ToolResult } from '../results.js';
import { fieldsFromJsonSchema, toJsonSchema } from '../schema/fields.js';
import { surfaceProblems } from '../schema/surfaces.js';
import { type FakeModels, fakeModels, memoryKnowledge, memoryStorage } from './memory-services.js';

export { type FakeModels, fakeModels, memoryKnowledge, memoryStorage };

/** Options of {@link createTestHost}. */
export interface TestHostOptions {
  /** Permissions to grant; default: everything the plugin declares. */
  grant?: Permission[];
  models?: FakeModels;
  /** Per-call time limit, default 5 s. */
  timeoutMs?: number;
}

/** What one call produced: the result or the error, and every progress report. */
export interface TestCall {
  result?: ToolResult;
  error?: HearthError;
  progress: { fraction: number; message?: string }[];
  logs: { level: string; message: string }[];
}

/** A loaded plugin under test. */
export interface TestHost {
  plugin: PluginDefinition;
  knowledge: ReturnType<typeof memoryKnowledge>;
  /** Calls a tool by its short name; never throws for tool errors (see `error`). */
  call(tool: string, input: unknown, options?: { caller?: Partial<Caller>; signal?: AbortSignal }): Promise<TestCall>;
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
 * `setup`, and returns a host to call its tools.
 */
export async function createTestHost(plugin: PluginDefinition, options: TestHostOptions = {}): Promise<TestHost> {
  validatePlugin(plugin);
  for (const tool of plugin.tools) {
    const fields = fieldsFromJsonSchema(toJsonSchema(tool.input), Object.keys(tool.autocomplete ?? {}));
    const problems = surfaceProblems(fields);
    if (problems.length) throw new Error(`plugin "${plugin.id}", tool "${tool.name}": ${problems.join('; ')}`);
  }
  const granted = new Set<Permission>(
    (options.grant ?? plugin.permissions).filter((p) => plugin.permissions.includes(p)),
  );
  const knowledge = memoryKnowledge();
  const storage = memoryStorage();
  const models = fakeModels(options.models);
  const lifecycle = { log: silentLog([]), storage, granted, signal: new AbortController().signal };
  await plugin.setup?.(lifecycle);
  return {
    plugin,
    knowledge,
    async call(toolName, input, callOptions = {}) {
      const tool = plugin.tools.find((t) => t.name === toolName);
      if (!tool) throw new Error(`plugin "${plugin.id}" has no tool "${toolName}"`);
      const call: TestCall = { progress: [], logs: [] };
      const caller = { ...testCaller, ...callOptions.caller };
      try {
        call.result = await invokeTool(tool, input, {
          caller,
          displayName: `${plugin.id}_${tool.name}`,
          timeoutMs: tool.timeoutMs ?? options.timeoutMs ?? 5000,
          signal: callOptions.signal,
          progressIntervalMs: 0,
          onProgress: (fraction, message) => call.progress.push({ fraction, message }),
          makeContext: (signal, progress) =>
            guardedContext({
              pluginId: plugin.id,
              caller,
              granted,
              signal,
              progress,
              log: silentLog(call.logs),
              services: { models, knowledge, storage },
            }),
        });
      } catch (err) {
        if (!(err instanceof HearthError)) throw err;
        call.error = err;
      }
      return call;
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
