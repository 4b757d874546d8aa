import type { Caller, KnowledgeApi, Logger, ModelsApi, StorageApi, ToolContext } from '../context.js';
import { PermissionDeniedError } from '../errors.js';
import type { Permission } from '../permissions.js';

/** The unguarded services a host provides; {@link guardedContext} wraps them with permission checks. */
export interface HostServices {
  models: ModelsApi;
  knowledge: KnowledgeApi;
  storage: StorageApi;
}

function deny(pluginId: string, permission: Permission, what: string): never {
  throw new PermissionDeniedError(
    `Plugin "${pluginId}" may not ${what}: it needs the "${permission}" permission, which the operator has not granted.`,
  );
}

/** Builds the `ctx` a tool sees: every service call checks the plugin's grant first. */
export function guardedContext(args: {
  pluginId: string;
  caller: Caller;
  granted: ReadonlySet<Permission>;
  signal: AbortSignal;
  progress: (fraction: number, message?: string) => void;
  log: Logger;
  services: HostServices;
}): ToolContext {
  const { pluginId, granted, services } = args;
  const need = (p: Permission, what: string) => {
    if (!granted.has(p)) deny(pluginId, p, what);
  };
  const models: ModelsApi = {
    chat: async (o) => (need('models:chat', 'use chat models'), services.models.chat({ signal: args.signal, ...o })),
    embed: async (t, o) => (
      need('models:embed', 'compute embeddings'), services.models.embed(t, { signal: args.signal, ...o })
    ),
    textToImage: async (o) => (
      need('models:image', 'generate images'), services.models.textToImage({ signal: args.signal, ...o })
    ),
    has: (task) => services.models.has(task),
  };
  const knowledge: KnowledgeApi = {
    search: async (q, o) => (need('knowledge:read', 'search the knowledge base'), services.knowledge.search(q, o)),
    add: async (s) => (need('knowledge:write', 'add knowledge'), services.knowledge.add(s)),
    remove: async (id) => (need('knowledge:write', 'remove knowledge'), services.knowledge.remove(id)),
  };
  const storage: StorageApi = {
    get: async (k) => (need('storage', 'use storage'), services.storage.get(k)),
    set: async (k, v) => (need('storage', 'use storage'), services.storage.set(k, v)),
    delete: async (k) => (need('storage', 'use storage'), services.storage.delete(k)),
    keys: async (p) => (need('storage', 'use storage'), services.storage.keys(p)),
    dir: async () => (need('storage', 'use storage'), services.storage.dir()),
  };
  return {
    caller: args.caller,
    signal: args.signal,
    progress: args.progress,
    log: args.log,
    models,
    knowledge,
    storage,
    granted,
  };
}
