import {
  type AnyToolDefinition,
  type Caller,
  fieldsFromJsonSchema,
  type HostServices,
  type Logger,
  type Permission,
  PluginDefinitionError,
  surfaceProblems,
  toJsonSchema,
} from '@hearth/sdk';
import {
  AUTOCOMPLETE_TIMEOUT_MS,
  checkCall,
  guardedContext,
  guardedStorage,
  invokeTool,
  permissionProblem,
  runAutocomplete,
} from '@hearth/sdk/host';
import type { RegisteredTool, ToolOrigin } from './registry.js';

/** What {@link registeredTool} needs to turn an SDK tool definition into a registry entry. */
export interface AdaptOptions {
  tool: AnyToolDefinition;
  /** Unique registry name, e.g. `diffusion_imagine`. */
  name: string;
  origin: ToolOrigin;
  /** Id used in permission errors (`core` for built-ins). */
  ownerId: string;
  /** What the operator granted (the host keeps this set; tools only ever see read-only copies). */
  granted: ReadonlySet<Permission>;
  /** What the plugin declares; default: `granted`. */
  declared?: readonly Permission[];
  defaultTimeoutMs: number;
  /** Limit of one autocomplete handler; default {@link AUTOCOMPLETE_TIMEOUT_MS}. */
  autocompleteTimeoutMs?: number;
  services: (caller: Caller) => HostServices;
  log: (caller: Caller) => Logger;
}

/**
 * Derives the surface view (JSON Schemas, flat fields) from the tool's zod schemas and wraps `run`
 * in the SDK's safe call wrapper. Throws {@link PluginDefinitionError} naming owner, tool and field
 * when a surface cannot express the input.
 */
export function registeredTool(o: AdaptOptions): RegisteredTool {
  const { tool } = o;
  const inputSchema = toJsonSchema(tool.input);
  let fields: RegisteredTool['fields'];
  try {
    fields = fieldsFromJsonSchema(inputSchema, Object.keys(tool.autocomplete ?? {}));
  } catch (err) {
    throw new PluginDefinitionError(`${o.ownerId}: tool "${tool.name}": ${(err as Error).message}`);
  }
  const problems = surfaceProblems(fields);
  if (problems.length) throw new PluginDefinitionError(`${o.ownerId}: tool "${tool.name}" ${problems.join('; ')}`);
  const suggest: NonNullable<RegisteredTool['suggest']> = async (field, partial, caller, input = {}) => {
    const handler = tool.autocomplete?.[field];
    if (!handler) return [];
    const need = () => {
      const problem = permissionProblem(
        { pluginId: o.ownerId, caller, granted: o.granted, declared: o.declared },
        'storage',
        'use storage',
      );
      if (problem) throw problem;
    };
    const storage = guardedStorage(o.services(caller).storage, need);
    return runAutocomplete(
      handler,
      partial,
      { caller, storage, input },
      o.autocompleteTimeoutMs ?? AUTOCOMPLETE_TIMEOUT_MS,
    );
  };
  return {
    name: o.name,
    shortName: tool.name,
    origin: o.origin,
    description: tool.description,
    inputSchema,
    outputSchema: tool.output ? toJsonSchema(tool.output, 'output') : undefined,
    fields,
    access: tool.access ?? 'everyone',
    ...(tool.render ? { render: tool.render } : {}),
    autocomplete: tool.autocomplete
      ? async (field, partial, caller, input) =>
          (await suggest(field, partial, caller, input)).map((c) => String(c.value))
      : undefined,
    suggest: tool.autocomplete ? suggest : undefined,
    check(input, caller) {
      checkCall(tool, input, caller, o.name);
    },
    invoke(input, call) {
      return invokeTool(tool, input, {
        caller: call.caller,
        displayName: o.name,
        timeoutMs: call.timeoutMs ?? tool.timeoutMs ?? o.defaultTimeoutMs,
        signal: call.signal,
        onProgress: call.onProgress,
        makeContext: (signal, progress) =>
          guardedContext({
            pluginId: o.ownerId,
            caller: call.caller,
            granted: o.granted,
            declared: o.declared,
            signal,
            progress,
            log: o.log(call.caller),
            services: o.services(call.caller),
          }),
      });
    },
  };
}
