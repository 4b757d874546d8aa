import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AnyToolDefinition, type Caller, type Logger, PERMISSIONS } from '@hearth/sdk';
import { configSchema, type HearthConfig } from '../../src/config/schema.js';
import { createEngine } from '../../src/engine/index.js';
import type { Engine } from '../../src/engine/types.js';
import type { KnowledgeStore, SearchHit } from '../../src/knowledge/types.js';
import { createLogger } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';
import { registeredTool } from '../../src/plugins/adapt.js';
import { ToolRegistry } from '../../src/plugins/registry.js';
import { createModelRegistry } from '../../src/providers/registry.js';
import type { ModelRegistry } from '../../src/providers/types.js';
import type { HearthDatabase } from '../../src/storage/database.js';
import { type HearthStorage, openStorage } from '../../src/storage/index.js';

/** A document of the in-memory knowledge store. */
export interface Doc {
  id: string;
  title: string;
  text: string;
  source?: string;
  guildId?: string;
}

/**
 * A small in-memory KnowledgeStore (until the LanceDB store is wired in tests): search ranks by
 * shared words but, like a vector search, always returns the top k, related or not.
 */
export function memoryKnowledge(docs: Doc[]): KnowledgeStore & { searches: { query: string; scope?: unknown }[] } {
  const searches: { query: string; scope?: unknown }[] = [];
  const words = (t: string) => new Set(t.toLowerCase().match(/[a-z0-9]+/g) ?? []);
  const unsupported = async (): Promise<never> => {
    throw new Error('not supported by the in-memory test store');
  };
  return {
    searches,
    async search(query, options = {}) {
      searches.push({ query, scope: options.scope });
      const q = words(query);
      const visible = docs.filter((d) => !d.guildId || d.guildId === options.scope?.guildId);
      return visible
        .map((d) => ({ d, score: [...words(`${d.title} ${d.text}`)].filter((w) => q.has(w)).length }))
        .sort((a, b) => b.score - a.score)
        .slice(0, options.k ?? 4)
        .map(
          ({ d, score }): SearchHit => ({
            id: `${d.id}#0`,
            sourceId: d.id,
            title: d.title,
            text: d.text,
            score,
            source: d.source ?? `docs/${d.id}.md`,
          }),
        );
    },
    ingest: unsupported,
    load: unsupported,
    ingestLoaded: unsupported,
    addText: unsupported,
    listSources: async () => [],
    getSource: async () => undefined,
    removeSource: async () => false,
    reindex: unsupported,
    onChange: () => () => {},
    close: async () => {},
  };
}

/** Adds SDK tool definitions to a registry the way built-ins are added. */
export function addTools(registry: ToolRegistry, tools: AnyToolDefinition[]): void {
  const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
  registry.add(
    tools.map((tool) =>
      registeredTool({
        tool,
        name: tool.name,
        origin: { kind: 'builtin' },
        ownerId: 'test',
        granted: new Set(PERMISSIONS),
        defaultTimeoutMs: 10_000,
        services: () => ({}) as never,
        log: () => silent,
      }),
    ),
  );
}

export const member: Caller = {
  surface: 'test',
  userId: 'u1',
  roles: [],
  isAdmin: false,
  guildId: 'g1',
  channelId: 'c1',
};

/**
 * A full engine on a fresh data folder: real storage (SQLite unless `storage` is given), real model
 * registry, real tool registry.
 */
export async function testEngine(options: {
  chat?: string;
  docs?: Doc[];
  tools?: AnyToolDefinition[];
  engine?: Partial<HearthConfig['engine']>;
  dataDir?: string;
  /** Storage to share with another engine (e.g. a PostgreSQL fixture's); default SQLite in `dataDir`. */
  storage?: HearthStorage;
  noChatModel?: boolean;
  wrapModels?: (m: ModelRegistry) => ModelRegistry;
}): Promise<{
  engine: Engine;
  storage: HearthStorage;
  /** The SQLite connection (SQLite storage only). */
  db: HearthDatabase | undefined;
  knowledge: ReturnType<typeof memoryKnowledge>;
  registry: ToolRegistry;
  models: ModelRegistry;
  dataDir: string;
  cleanup: () => Promise<void>;
}> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hearth-engine-'));
  const config: HearthConfig = {
    ...configSchema.parse({
      dataDir,
      models: { chat: options.chat, timeoutMs: 5000, retries: 0 },
      engine: { persona: 'default', historyTokens: 1500, maxToolSteps: 4, retrieveK: 4, ...options.engine },
    }),
    secrets: {},
  };
  const redactor = new Redactor();
  const log = createLogger({ level: 'silent', redactor });
  const storage = options.storage ?? (await openStorage({ dataDir, databaseUrl: '' }));
  let models = await createModelRegistry(config, { log, redactor });
  if (options.noChatModel) {
    const real = models;
    models = { ...real, has: (task) => (task === 'chat' ? false : real.has(task)) };
  }
  if (options.wrapModels) models = options.wrapModels(models);
  const knowledge = memoryKnowledge(options.docs ?? []);
  const registry = new ToolRegistry();
  if (options.tools) addTools(registry, options.tools);
  const engine = await createEngine({
    config,
    conversations: storage.conversations,
    models,
    knowledge,
    registry,
    log,
    redactor,
  });
  return {
    engine,
    storage,
    db: storage.sqlite,
    knowledge,
    registry,
    models,
    dataDir,
    cleanup: async () => {
      if (!options.storage) await storage.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
