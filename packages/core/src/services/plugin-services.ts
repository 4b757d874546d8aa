import type { Caller, KnowledgeApi, ModelsApi } from '@hearth/sdk';
import { PermissionDeniedError } from '@hearth/sdk';
import { canModifySource, canReadSource, readScopeOf, writeScopeOf } from '../access/knowledge.js';
import { canUseModel, type ModelPolicy, type ModelTask } from '../access/models.js';
import type { KnowledgeStore } from '../knowledge/types.js';
import { safeRef } from '../providers/refs.js';
import type { ModelRegistry } from '../providers/types.js';

/** Options of {@link modelsApi}. */
export interface ModelsApiOptions {
  /**
   * References plugins may name besides the configured ones (e.g. a config key listing them).
   * Default: none, so a plugin uses exactly the operator's models.
   */
  allowedModels?: readonly string[];
}

/**
 * `ctx.models` over core's model registry. A plugin may name only the operator's configured model
 * per task (or one in `allowedModels`): any other reference could carry the operator's API token to
 * an address the plugin chose.
 */
export function modelsApi(registry: ModelRegistry, options: ModelsApiOptions = {}): ModelsApi {
  const check = (ref: string | undefined, task: ModelTask): void => {
    const policy: ModelPolicy = { configured: registry.describe(), allowed: options.allowedModels };
    if (canUseModel(ref, task, policy)) return;
    const configured = policy.configured[task];
    throw new PermissionDeniedError(
      `Plugins may use only the operator's ${task} model${configured ? ` (${configured})` : ''}, not "${safeRef(ref ?? '')}"; ` +
        'leave "model" unset, or ask the operator to allow that reference.',
      { reason: 'not_granted' },
    );
  };
  return {
    async chat(o) {
      check(o.model, 'chat');
      const model = await registry.chat(o.model);
      const answer = await model.chat({
        messages: o.messages,
        temperature: o.temperature,
        maxTokens: o.maxTokens,
        stop: o.stop,
        jsonSchema: o.jsonSchema,
        signal: o.signal,
      });
      return { text: answer.text, model: model.ref };
    },
    async embed(texts, o) {
      check(o?.model, 'embed');
      const embedder = await registry.embedder(o?.model);
      return (await embedder.embed(texts, o?.signal)).map((v) => Array.from(v));
    },
    async textToImage(o) {
      check(o.model, 'image');
      const model = await registry.image(o.model);
      return model.textToImage(o);
    },
    has: (task) => registry.has(task),
  };
}

/**
 * `ctx.knowledge`, scoped to the caller: a guild's call reads global + that guild's sources and
 * writes to the guild; adding and removing follow the same rule as the built-in tools
 * ({@link canModifySource}), so a plugin never does more than its caller may.
 */
export function knowledgeApi(knowledge: KnowledgeStore, caller: Caller): KnowledgeApi {
  return {
    async search(query, o) {
      return knowledge.search(query, { k: o?.k, scope: readScopeOf(caller) });
    },
    async add(source) {
      const scope = writeScopeOf(caller);
      const stored = scope?.guildId
        ? { scope: 'guild' as const, guildId: scope.guildId }
        : { scope: 'global' as const };
      if (!scope || !canModifySource(stored, caller)) {
        throw new PermissionDeniedError(
          scope?.guildId
            ? "Only this server's admins may add to its knowledge base."
            : 'Only the operator may add global knowledge.',
          { reason: 'caller' },
        );
      }
      const r = await knowledge.addText(source, { scope });
      return { sourceId: r.sourceId, chunks: r.chunks };
    },
    async remove(sourceId) {
      const info = await knowledge.getSource(sourceId);
      // another guild's source does not exist for this caller
      if (!info || !canReadSource(info, caller)) return false;
      if (!canModifySource(info, caller)) {
        throw new PermissionDeniedError(
          info.scope === 'global'
            ? `Source "${sourceId}" is global knowledge; only the operator may remove it.`
            : `Source "${sourceId}" may be removed only by its server's admins.`,
          { reason: 'caller' },
        );
      }
      return knowledge.removeSource(sourceId);
    },
  };
}
