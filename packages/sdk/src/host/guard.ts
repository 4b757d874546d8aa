import type { AtomicStorageApi, Caller, KnowledgeApi, Logger, ModelsApi, StorageApi, ToolContext } from '../context.js';
import { PermissionDeniedError } from '../errors.js';
import type { Permission } from '../permissions.js';
import { guardedStorage } from './storage.js';

/** The unguarded services a host provides; {@link guardedContext} wraps them with permission checks. */
export interface HostServices {
  models: ModelsApi;
  knowledge: KnowledgeApi;
  /** Per-guild storage; `update` is added (atomic per key) when the host's store has none. */
  storage: StorageApi | AtomicStorageApi;
  /** The network, for `ctx.fetch`; default: the global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * A set nobody can change: `ctx.granted` is a view, so a plugin cannot grant itself a permission
 * by adding to it (the checks use the host's own copy anyway).
 */
export class ReadonlyPermissionSet extends Set<Permission> {
  constructor(values: Iterable<Permission>) {
    super();
    for (const v of values) super.add(v);
  }
  override add(): this {
    throw new TypeError('ctx.granted is read-only: permissions come from the manifest and the operator config');
  }
  override delete(): boolean {
    throw new TypeError('ctx.granted is read-only: permissions come from the manifest and the operator config');
  }
  override clear(): void {
    throw new TypeError('ctx.granted is read-only: permissions come from the manifest and the operator config');
  }
}

/** The three inputs of a permission decision for one call. */
export interface PermissionSources {
  pluginId: string;
  /** What the plugin's manifest declares; default: `granted` (the plugin declared what it was granted). */
  declared?: Iterable<Permission>;
  /** What the operator granted the plugin (already limited to what it declares). */
  granted: Iterable<Permission>;
  caller: Caller;
}

/**
 * Decides one permission: returns nothing when allowed, else a {@link PermissionDeniedError}
 * that says which of the three checks failed and what to change.
 */
export function permissionProblem(
  sources: PermissionSources,
  permission: Permission,
  what: string,
): PermissionDeniedError | undefined {
  const granted = new Set(sources.granted);
  const declared = new Set(sources.declared ?? granted);
  const id = sources.pluginId;
  if (!declared.has(permission)) {
    return new PermissionDeniedError(
      `Plugin "${id}" may not ${what}: it does not declare the "${permission}" permission (the plugin's author must add it to its permissions).`,
      { reason: 'undeclared', permission },
    );
  }
  if (!granted.has(permission)) {
    return new PermissionDeniedError(
      `Plugin "${id}" may not ${what}: it needs the "${permission}" permission, which the operator has not granted (plugins.grants.${id}).`,
      { reason: 'not_granted', permission },
    );
  }
  const callerGrants = sources.caller.grants;
  if (callerGrants && !callerGrants.includes(permission)) {
    return new PermissionDeniedError(
      `Plugin "${id}" may not ${what} for ${sources.caller.userId}: the operator has not granted "${permission}" to this caller.`,
      { reason: 'caller', permission },
    );
  }
  return undefined;
}

/** The permissions one call may use: operator grant ∩ declaration ∩ the caller's grants. */
export function effectivePermissions(sources: PermissionSources): ReadonlyPermissionSet {
  const declared = sources.declared ? new Set(sources.declared) : undefined;
  const callerGrants = sources.caller.grants;
  return new ReadonlyPermissionSet(
    [...new Set(sources.granted)].filter(
      (p) => (!declared || declared.has(p)) && (!callerGrants || callerGrants.includes(p)),
    ),
  );
}

/** Builds the `ctx` a tool sees: every service call checks the three permission sources first. */
export function guardedContext(
  args: PermissionSources & {
    signal: AbortSignal;
    progress: (fraction: number, message?: string) => void;
    log: Logger;
    services: HostServices;
  },
): ToolContext {
  const { services, signal } = args;
  // copies, taken now: nothing the plugin does to ctx can widen what later checks see
  const sources: PermissionSources = {
    pluginId: args.pluginId,
    caller: args.caller,
    granted: [...args.granted],
    declared: args.declared ? [...args.declared] : undefined,
  };
  const need = (p: Permission, what: string) => {
    const problem = permissionProblem(sources, p, what);
    if (problem) throw problem;
  };
  const models: ModelsApi = {
    chat: async (o) => (need('models:chat', 'use chat models'), services.models.chat({ signal, ...o })),
    embed: async (t, o) => (need('models:embed', 'compute embeddings'), services.models.embed(t, { signal, ...o })),
    textToImage: async (o) => (need('models:image', 'generate images'), services.models.textToImage({ signal, ...o })),
    has: (task) => services.models.has(task),
  };
  const knowledge: KnowledgeApi = {
    search: async (q, o) => (need('knowledge:read', 'search the knowledge base'), services.knowledge.search(q, o)),
    add: async (s) => (need('knowledge:write', 'add knowledge'), services.knowledge.add(s)),
    remove: async (id) => (need('knowledge:write', 'remove knowledge'), services.knowledge.remove(id)),
  };
  const netFetch: typeof fetch = async (input, init) => {
    need('network', 'reach the network');
    const own = init?.signal;
    return (services.fetch ?? globalThis.fetch)(input, {
      ...init,
      signal: own ? AbortSignal.any([own, signal]) : signal,
    });
  };
  return {
    caller: args.caller,
    signal,
    progress: args.progress,
    log: args.log,
    models,
    knowledge,
    storage: guardedStorage(services.storage, () => need('storage', 'use storage')),
    fetch: netFetch,
    granted: effectivePermissions(sources),
  };
}
