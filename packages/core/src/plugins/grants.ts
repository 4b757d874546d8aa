import type { AtomicStorageApi, Caller, HostServices, Logger, Permission, PluginDefinition } from '@hearth/sdk';
import { withAtomicUpdate } from '@hearth/sdk/host';
import type { HearthConfig } from '../config/schema.js';
import type { KnowledgeStore } from '../knowledge/types.js';
import type { HearthLogger } from '../log/logger.js';
import type { ModelRegistry } from '../providers/types.js';
import { knowledgeApi, modelsApi } from '../services/plugin-services.js';
import type { PluginStorage } from '../storage/plugin-storage.js';

/** What a plugin was granted, and what it asked for but did not get. */
export interface Grant {
  granted: Set<Permission>;
  /** Declared by the plugin, not allowed by `plugins.grants[id]`. */
  withheld: Permission[];
  /** In `plugins.grants[id]` but never declared by the plugin (not granted: a plugin gets only what it declares). */
  undeclared: Permission[];
}

/**
 * The operator's grant: `plugins.grants[id]` intersected with what the plugin declares; a plugin
 * not listed there gets what it declares.
 */
export function grantFor(plugin: PluginDefinition, config: HearthConfig): Grant {
  const allowed = config.plugins.grants[plugin.id];
  const declared = [...new Set(plugin.permissions)];
  if (!allowed) return { granted: new Set(declared), withheld: [], undeclared: [] };
  return {
    granted: new Set(declared.filter((p) => allowed.includes(p))),
    withheld: declared.filter((p) => !allowed.includes(p)),
    undeclared: allowed.filter((p) => !declared.includes(p)),
  };
}

/** Core's services as one plugin sees them, per caller (storage and knowledge are scoped to the caller's guild). */
export function servicesFor(
  pluginId: string,
  deps: { models: ModelRegistry; knowledge: KnowledgeStore; storage: PluginStorage; config?: HearthConfig },
): (caller: Caller) => HostServices {
  // plugins use the operator's configured models, or the extra references plugins.allowedModels lists
  const models = modelsApi(deps.models, { allowedModels: deps.config?.plugins.allowedModels });
  // scoped() prepares statements; keep one per guild rather than one per call
  const storageByGuild = new Map<string, AtomicStorageApi>();
  return (caller) => {
    const guild = caller.guildId ?? '';
    let storage = storageByGuild.get(guild);
    if (!storage) {
      storage = scopedStorage(deps.storage, pluginId, guild);
      storageByGuild.set(guild, storage);
    }
    return { models, knowledge: knowledgeApi(deps.knowledge, caller), storage };
  };
}

/** The plugin's logger for one call: every line carries plugin, surface, user and guild. */
export function callerLogger(base: HearthLogger, caller?: Caller, tool?: string): Logger {
  const extra = caller ? { surface: caller.surface, user: caller.userId, guild: caller.guildId, tool } : { tool };
  return {
    debug: (m, f) => base.debug({ ...extra, ...f }, m),
    info: (m, f) => base.info({ ...extra, ...f }, m),
    warn: (m, f) => base.warn({ ...extra, ...f }, m),
    error: (m, f) => base.error({ ...extra, ...f }, m),
  };
}

/**
 * One plugin's storage for one guild (`''`: global), with `update` serialised per key. The lock id
 * names the rows, so every object over the same rows (calls, setup, worker RPCs) shares the lock.
 */
export function scopedStorage(storage: PluginStorage, pluginId: string, guild = ''): AtomicStorageApi {
  return withAtomicUpdate(storage.scoped(pluginId, guild), `${pluginId}\u0000${guild}`);
}
