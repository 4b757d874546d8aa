import type { AnyToolDefinition, Caller, HostServices, PluginDefinition } from '@hearth/sdk';
import { HearthError, toolNames } from '@hearth/sdk';
import type { HearthLogger } from '../log/logger.js';
import { registeredTool } from './adapt.js';
import { pluginScope } from './crash-guard.js';
import { callerLogger, type Grant } from './grants.js';
import type { RegisteredTool, ToolRegistry } from './registry.js';
import type { PluginWorker } from './worker/client.js';

/** What turning one plugin tool into a registry entry needs. */
export interface EntryOptions {
  hostId: number;
  plugin: PluginDefinition;
  tool: AnyToolDefinition;
  grant: Grant;
  log: HearthLogger;
  services: (caller: Caller) => HostServices;
  defaultTimeoutMs: number;
  /** Controllers of the plugin's running calls; aborted when it unloads. */
  inflight: Set<AbortController>;
  /** Present when the plugin has worker tools and its module could be located. */
  worker?: PluginWorker;
  redact: (text: string) => string;
}

/**
 * The registry entry of a plugin tool, `<pluginId>_<tool>`: the SDK's safe call wrapper (through
 * `registeredTool`), run inside the plugin's async scope (so escaped rejections are attributed),
 * in a worker thread for `worker: true` tools, cancelled when the plugin unloads, and with secrets
 * redacted from the error a caller sees.
 */
export function pluginToolEntry(o: EntryOptions): RegisteredTool {
  const { plugin, tool, worker, inflight } = o;
  const scope = { hostId: o.hostId, pluginId: plugin.id, phase: 'call' as const, tool: tool.name };
  const run: AnyToolDefinition['run'] =
    worker && tool.worker
      ? (input, ctx) => worker.run(tool.name, input, ctx) as never
      : (input, ctx) => tool.run(input, ctx);
  const entry = registeredTool({
    tool: { ...tool, run: (input, ctx) => pluginScope.run(scope, () => run(input, ctx)) },
    name: toolNames(plugin.id, tool.name).mcp,
    origin: { kind: 'plugin', pluginId: plugin.id, version: plugin.version },
    ownerId: plugin.id,
    granted: o.grant.granted,
    declared: plugin.permissions,
    defaultTimeoutMs: o.defaultTimeoutMs,
    services: o.services,
    log: (caller) => callerLogger(o.log, caller, tool.name),
  });
  const invoke = entry.invoke;
  entry.invoke = (input, options) => {
    // each call gets its own controller so unloading the plugin cancels what is still running
    const call = new AbortController();
    const outer = options.signal;
    const follow = () => call.abort(outer?.reason);
    if (outer?.aborted) follow();
    else outer?.addEventListener('abort', follow, { once: true });
    inflight.add(call);
    return invoke(input, { ...options, signal: call.signal })
      .catch((err: unknown) => {
        // a plugin's message may quote a secret it was handed; callers and logs never see it
        if (err instanceof Error) err.message = o.redact(err.message);
        throw err;
      })
      .finally(() => {
        inflight.delete(call);
        outer?.removeEventListener('abort', follow);
      });
  };
  return entry;
}

/**
 * Throws before `setup` runs when a tool name is taken (the registry's own `add` would too, but
 * only after setup). The message names both owners.
 */
export function assertNamesFree(registry: ToolRegistry, pluginId: string, entries: RegisteredTool[]): void {
  const taken = new Map(registry.list().map((t) => [t.name, t]));
  for (const e of entries) {
    const owner = taken.get(e.name);
    if (!owner) continue;
    const by =
      owner.origin.kind === 'plugin'
        ? `plugin "${owner.origin.pluginId}"`
        : owner.origin.kind === 'mcp'
          ? `MCP server "${owner.origin.server}"`
          : 'a built-in tool';
    throw new HearthError(
      'name_collision',
      `Tool name "${e.name}" of plugin "${pluginId}" is already taken by ${by}; rename the tool or the plugin id.`,
    );
  }
}
