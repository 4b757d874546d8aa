import type { Caller, KnowledgeApi, ModelsApi } from '@hearth/sdk';
import { PermissionDeniedError } from '@hearth/sdk';
import type { KnowledgeStore } from '../knowledge/types.js';
import type { ModelRegistry } from '../providers/types.js';

/** `ctx.models` over core's model registry. */
export function modelsApi(registry: ModelRegistry): ModelsApi {
  const get = async () => registry;
  return {
    async chat(o) {
      const model = await (await get()).chat(o.model);
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
      const embedder = await (await get()).embedder(o?.model);
      return (await embedder.embed(texts, o?.signal)).map((v) => Array.from(v));
    },
    async textToImage(o) {
      const model = await (await get()).image(o.model);
      return model.textToImage(o);
    },
    has: (task) => registry.has(task),
  };
}

/** `ctx.knowledge`, scoped to the caller: a guild's call reads global + that guild's sources and writes to the guild. */
export function knowledgeApi(knowledge: KnowledgeStore, caller: Caller): KnowledgeApi {
  const store = async () => knowledge;
  const scope = { guildId: caller.guildId, channelId: caller.channelId };
  return {
    async search(query, o) {
      return (await store()).search(query, { k: o?.k, scope });
    },
    async add(source) {
      const r = await (await store()).addText(source, { scope: { guildId: caller.guildId } });
      return { sourceId: r.sourceId, chunks: r.chunks };
    },
    async remove(sourceId) {
      const s = await store();
      const info = await s.getSource(sourceId);
      if (!info) return false;
      const own = info.scope !== 'global' && info.guildId === caller.guildId;
      if (!own && !caller.isAdmin) {
        throw new PermissionDeniedError(`Source "${sourceId}" belongs to another scope; only an admin may remove it.`);
      }
      return s.removeSource(sourceId);
    },
  };
}
