import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatModel, ConfigInput, Embedder, HearthConfig, KnowledgeStore, ModelRegistry } from '@hearth/core';
import { createLogger, loadConfig, Redactor, ToolRegistry } from '@hearth/core';
import { PluginHost } from '../../src/plugins/host.js';
import { openDatabase } from '../../src/storage/database.js';
import { PluginStorage } from '../../src/storage/plugin-storage.js';

export const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

/** A model registry with a deterministic chat model and embedder (the interfaces of providers/types.ts). */
export function fakeModels(): ModelRegistry {
  const chat: ChatModel = {
    ref: 'fake:chat',
    supportsTools: false,
    async chat(r) {
      return { text: `echo: ${r.messages.at(-1)?.content ?? ''}`, toolCalls: [], finishReason: 'stop' };
    },
    async *stream() {
      yield { type: 'done', finishReason: 'stop' };
    },
    async complete(prompt) {
      return prompt;
    },
    countTokens: (t) => t.length,
  };
  const embedder: Embedder = {
    ref: 'fake:embed',
    dimension: 2,
    embed: async (texts) => texts.map((t) => new Float32Array([t.length, 1])),
  };
  return {
    chat: async () => chat,
    embedder: async () => embedder,
    image: async () => {
      throw new Error('no image model is configured; set models.image');
    },
    has: (task) => task !== 'image',
    describe: () => ({ chat: 'fake:chat', embed: 'fake:embed', image: undefined }),
    close: async () => {},
  };
}

/** A knowledge store in memory with the parts plugins reach (search, addText, getSource, removeSource). */
export function fakeKnowledge(): KnowledgeStore {
  const sources = new Map<string, { title: string; text: string; guildId?: string }>();
  let next = 1;
  const unsupported = async () => {
    throw new Error('not used by plugin tests');
  };
  return {
    ingest: unsupported,
    load: unsupported,
    ingestLoaded: unsupported,
    reindex: unsupported,
    listSources: async () => [],
    async addText(source, options) {
      const id = `s${next++}`;
      sources.set(id, { title: source.title, text: source.text, guildId: options?.scope?.guildId });
      return { sourceId: id, chunks: 1, status: 'added' };
    },
    async search(query, options) {
      return [...sources.entries()]
        .filter(([, s]) => s.text.includes(query) && (!s.guildId || s.guildId === options?.scope?.guildId))
        .map(([id, s]) => ({ id: `${id}#0`, sourceId: id, title: s.title, text: s.text, score: 1, source: id }));
    },
    async getSource(id) {
      const s = sources.get(id);
      if (!s) return undefined;
      const scope = s.guildId ? ('guild' as const) : ('global' as const);
      return {
        id,
        title: s.title,
        uri: 'text:',
        scope,
        guildId: s.guildId,
        chunks: 1,
        contentHash: '',
        addedAt: '',
        text: s.text,
      };
    },
    removeSource: async (id) => sources.delete(id),
    onChange: () => () => {},
    close: async () => {},
  };
}

/** A pino logger whose lines land in `lines` (parsed), passed through the redactor like the real one. */
export function captureLogger(redactor: Redactor) {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const raw: string[] = [];
  const log = createLogger({
    level: 'debug',
    redactor,
    destination: {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line));
      },
    } as never,
  });
  return { log, lines, raw, text: () => raw.join('') };
}

export interface Harness {
  host: PluginHost;
  registry: ToolRegistry;
  config: HearthConfig;
  lines: ReturnType<typeof captureLogger>['lines'];
  logText: () => string;
  dataDir: string;
  close(): Promise<void>;
}

/** A PluginHost over a real registry, SQLite storage and logger, with fake models and knowledge. */
export async function createHarness(
  plugins: ConfigInput['plugins'] = {},
  extra: { cwd?: string; secrets?: string[]; importPlugin?: (s: string) => Promise<unknown> } = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-host-'));
  const config = await loadConfig({
    cwd: dataDir,
    env: {},
    overrides: { dataDir, plugins: { firstParty: false, ...plugins } },
  });
  const redactor = new Redactor();
  redactor.add(...(extra.secrets ?? []));
  const { log, lines, text } = captureLogger(redactor);
  const db = openDatabase(dataDir);
  const registry = new ToolRegistry();
  const host = new PluginHost({
    config,
    registry,
    storage: new PluginStorage(db, dataDir),
    models: fakeModels(),
    knowledge: fakeKnowledge(),
    log,
    redactor,
    importPlugin: extra.importPlugin ?? ((s) => import(s)),
    cwd: extra.cwd ?? dataDir,
    workerGraceMs: 300,
  });
  return {
    host,
    registry,
    config,
    lines,
    logText: text,
    dataDir,
    async close() {
      await host.unloadAll();
      db.close();
    },
  };
}

export const member = { surface: 'test' as const, userId: 'u1', guildId: 'g1', roles: [], isAdmin: false };
