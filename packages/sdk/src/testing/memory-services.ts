import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatOptions, ImageOptions, KnowledgeApi, KnowledgeHit, ModelsApi, StorageApi } from '../context.js';

/** Scripted model behaviour for tests; unset tasks throw a clear "not configured" error. */
export interface FakeModels {
  chat?: (options: ChatOptions) => string | Promise<string>;
  embed?: (texts: string[]) => number[][] | Promise<number[][]>;
  textToImage?: (options: ImageOptions) => Uint8Array | Promise<Uint8Array>;
}

export function fakeModels(fake: FakeModels = {}): ModelsApi {
  const missing = (task: string): never => {
    throw new Error(`no ${task} model is configured in this test host (pass models.${task})`);
  };
  return {
    chat: async (o) => ({ text: await (fake.chat ?? (() => missing('chat')))(o), model: 'test' }),
    embed: async (t) => (fake.embed ?? (() => missing('embed')))(t),
    textToImage: async (o) => (fake.textToImage ?? (() => missing('textToImage')))(o),
    has: (task) => Boolean(task === 'image' ? fake.textToImage : fake[task]),
  };
}

/** A knowledge store in memory: substring scoring, enough to test a plugin's use of it. */
export function memoryKnowledge(): KnowledgeApi & { sources: Map<string, { title: string; text: string }> } {
  const sources = new Map<string, { title: string; text: string }>();
  let next = 1;
  return {
    sources,
    async search(query, options) {
      const words = query.toLowerCase().split(/\W+/).filter(Boolean);
      const hits: KnowledgeHit[] = [];
      for (const [id, s] of sources) {
        const text = s.text.toLowerCase();
        const score = words.filter((w) => text.includes(w)).length / Math.max(1, words.length);
        if (score > 0) hits.push({ id: `${id}#0`, sourceId: id, title: s.title, text: s.text, score, source: id });
      }
      return hits.sort((a, b) => b.score - a.score).slice(0, options?.k ?? 5);
    },
    async add(source) {
      const id = `mem-${next++}`;
      sources.set(id, { title: source.title, text: source.text });
      return { sourceId: id, chunks: 1 };
    },
    async remove(id) {
      return sources.delete(id);
    },
  };
}

/** Storage in memory with a real temporary folder. */
export function memoryStorage(): StorageApi {
  const values = new Map<string, string>();
  let folder: string | undefined;
  return {
    async get(key) {
      const v = values.get(key);
      return v === undefined ? undefined : JSON.parse(v);
    },
    async set(key, value) {
      values.set(key, JSON.stringify(value));
    },
    async delete(key) {
      return values.delete(key);
    },
    async keys(prefix = '') {
      return [...values.keys()].filter((k) => k.startsWith(prefix)).sort();
    },
    async dir() {
      folder ??= await mkdtemp(join(tmpdir(), 'hearth-plugin-'));
      return folder;
    },
  };
}
