import { z } from 'zod';
import type { AtomicStorageApi, Logger } from './context.js';
import { PluginDefinitionError } from './errors.js';
import { PERMISSIONS, type Permission } from './permissions.js';
import type { AnyToolDefinition } from './tool.js';

/** What `setup` and `teardown` receive. */
export interface PluginLifecycleContext {
  /** Log lines tagged with the plugin. */
  log: Logger;
  /** Global (not per-guild) storage of the plugin; present when `storage` is granted. */
  storage?: AtomicStorageApi;
  /** What the operator granted the plugin (read-only). */
  granted: ReadonlySet<Permission>;
  /** Aborted when the plugin unloads. */
  signal: AbortSignal;
}

/** A plugin: metadata, declared permissions, lifecycle hooks and tools. */
export interface PluginDefinition {
  /** Lower-case id, 1-24 characters of `a-z0-9-`; prefixes every tool name. */
  id: string;
  /** The plugin's own semver version. */
  version: string;
  /** Semver range of Hearth host versions the plugin supports, e.g. `^0.1.0`. */
  hearth: string;
  description: string;
  permissions: Permission[];
  setup?(ctx: PluginLifecycleContext): Promise<void> | void;
  teardown?(ctx: PluginLifecycleContext): Promise<void> | void;
  tools: AnyToolDefinition[];
}

const ID = /^[a-z][a-z0-9-]{0,23}$/;
const TOOL_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

const manifestSchema = z.object({
  id: z.string().regex(ID, 'must be 1-24 characters of a-z, 0-9 and "-", starting with a letter'),
  version: z.string().regex(SEMVER, 'must be a semver version such as 1.0.0'),
  hearth: z.string().min(1, 'must be a semver range of supported Hearth versions, e.g. ^0.1.0'),
  description: z.string().min(1).max(200),
  permissions: z.array(z.enum(PERMISSIONS)),
  tools: z
    .array(
      z.object({
        name: z.string().regex(TOOL_NAME, 'must be 1-32 characters of a-z, 0-9, "_" and "-", starting with a letter'),
        description: z.string().min(1).max(100),
        input: z.custom<z.ZodObject>((v) => v instanceof z.ZodObject, 'must be a zod object schema (z.object({...}))'),
        output: z
          .custom<z.ZodType>((v) => v === undefined || v instanceof z.ZodType, 'must be a zod schema')
          .optional(),
        access: z.enum(['everyone', 'admin']).optional(),
        timeoutMs: z.number().int().positive().optional(),
        worker: z.boolean().optional(),
        render: z
          .object({
            discord: z
              .object({ data: z.enum(['embed', 'hidden']).optional(), ephemeral: z.boolean().optional() })
              .strict()
              .optional(),
            cli: z
              .object({ data: z.enum(['table', 'hidden']).optional() })
              .strict()
              .optional(),
            mcp: z.object({ dataAsText: z.boolean().optional() }).strict().optional(),
          })
          .strict()
          .optional(),
        run: z.custom<(...a: unknown[]) => unknown>((v) => typeof v === 'function', 'must be a function'),
      }),
    )
    .min(1, 'a plugin needs at least one tool'),
});

/**
 * Validates and returns a plugin definition: the module's default export, which Hearth loads.
 * @param plugin - id, version, the Hearth versions supported, description, declared permissions,
 * optional `setup`/`teardown`, and at least one tool
 * @returns the same definition, typed
 * @throws PluginDefinitionError naming the plugin, the field and the fix (a bad id, a version that
 * is not semver, an unknown permission, two tools with one name, an invalid tool)
 * @example
 * export default definePlugin({
 *   id: 'weather',
 *   version: '1.0.0',
 *   hearth: '^0.1.0',
 *   description: 'Weather forecasts',
 *   permissions: ['network'],
 *   tools: [forecast],
 * });
 */
export function definePlugin(plugin: PluginDefinition): PluginDefinition {
  validatePlugin(plugin);
  return plugin;
}

/** Checks a manifest without returning it; the host calls it on every load. */
export function validatePlugin(plugin: unknown): asserts plugin is PluginDefinition {
  const parsed = manifestSchema.safeParse(plugin);
  const name =
    typeof (plugin as { id?: unknown })?.id === 'string' ? `plugin "${(plugin as { id: string }).id}"` : 'plugin';
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.length ? issue.path.join('.') : '(root)';
    throw new PluginDefinitionError(`Invalid ${name}: ${path} ${issue.message}`);
  }
  const seen = new Set<string>();
  for (const tool of parsed.data.tools) {
    if (seen.has(tool.name)) throw new PluginDefinitionError(`Invalid ${name}: two tools are named "${tool.name}"`);
    seen.add(tool.name);
  }
}
