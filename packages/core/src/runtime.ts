import { join } from 'node:path';
import { defaultLogFile, type LoadConfigOptions, loadConfig } from './config/load.js';
import type { HearthConfig } from './config/schema.js';
import type { Engine } from './engine/types.js';
import type { KnowledgeStore } from './knowledge/types.js';
import { type ConsoleLogMode, createLogger, type HearthLogger } from './log/logger.js';
import { Redactor } from './log/redact.js';
import type { McpServers } from './mcp-client/index.js';
import type { PluginHost } from './plugins/host.js';
import { ToolRegistry } from './plugins/registry.js';
import type { ModelRegistry } from './providers/types.js';
import type { JobQueue } from './queue/types.js';
import { type HearthDatabase, openDatabase } from './storage/database.js';
import { type HearthStorage, openStorage } from './storage/index.js';
import type { PluginStorage } from './storage/plugin-storage.js';

/** A running Hearth: the one object every surface (Discord, MCP, CLI) is built on. */
export interface Hearth {
  config: HearthConfig;
  log: HearthLogger;
  /** Redacts secrets from any text shown to users or written to logs. */
  redactor: Redactor;
  /** The log file every line goes to (unless a `logger` was passed in). */
  logFile: string;
  /**
   * Resolves true once no tool call is in flight, or false after `timeoutMs`: a server waits on it
   * after a stop signal so accepted work finishes before it closes.
   */
  idle(timeoutMs: number): Promise<boolean>;
  /**
   * Everything stored on the configured engine: SQLite in the data folder, or the PostgreSQL of
   * `databaseUrl` (HEARTH_DATABASE_URL) that every process of a deployment shares.
   */
  database: HearthStorage;
  /**
   * A SQLite connection in the data folder. With the SQLite engine it is `database.sqlite`; with
   * PostgreSQL it is still opened, per process, for callers written against SQLite directly (plugins'
   * tests, tools); Hearth's own areas use `database`.
   */
  db: HearthDatabase;
  registry: ToolRegistry;
  plugins: PluginHost;
  models: ModelRegistry;
  knowledge: KnowledgeStore;
  engine: Engine;
  /** Plugin storage on the configured engine (= `database.plugins`). */
  storage: PluginStorage;
  /**
   * The shared `tools` job queue on Redis, open when `redisUrl` (HEARTH_REDIS_URL) is set; the
   * tools of `jobs.queued` run as its jobs (on `hearth worker` processes). Undefined otherwise.
   */
  queue?: JobQueue;
  /**
   * The knowledge writers' queue (`jobs.queues` of `add_knowledge`, default `ingest`) when `redisUrl`
   * is set: `hearth ingest` sends what it read there, for the one ingest worker to write.
   */
  knowledgeQueue?: JobQueue;
  /** External MCP servers (`mcp.servers`) whose tools joined the registry; undefined when none are connected. */
  mcpServers?: McpServers;
  /** Stops plugins, closes the queue, models, the store and the database, in that order. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link createHearth}. */
export interface CreateHearthOptions extends LoadConfigOptions {
  /** An already-loaded config (skips loading). */
  config?: HearthConfig;
  /** Replace the logger (tests capture lines with it). */
  logger?: HearthLogger;
  /**
   * The redactor to fill with the config's secrets and use everywhere; pass the one your crash
   * handler uses so both know the same secrets. Default: a new one.
   */
  redactor?: Redactor;
  /** What the terminal gets of the log (the log file gets every line); default `json` on stderr. */
  console?: ConsoleLogMode;
  /** Skip loading plugins and connecting external MCP servers (e.g. `hearth ingest`). Default false. */
  skipPlugins?: boolean;
  /**
   * Imports a plugin package by specifier. Core depends on no plugin, so the application (the bot
   * package, which depends on the first-party plugins) passes `(s) => import(s)` to resolve from itself.
   */
  importPlugin?: (specifier: string) => Promise<unknown>;
  /**
   * Run the tools of `jobs.queued` here instead of sending them to the queue: `hearth worker`
   * sets it, since it is the process that consumes those jobs. Default false.
   */
  executeQueuedTools?: boolean;
  /**
   * Whether this process writes the knowledge store (repairs and builds indexes when it opens). Default:
   * true without `redisUrl` (one process), false with it; `hearth worker --queues ingest` sets true.
   */
  knowledgeWriter?: boolean;
}

/**
 * Builds a Hearth from config: logger, database, model registry, knowledge store, engine, tool
 * registry with built-in tools, and the plugin host with every configured plugin loaded.
 * Heavy modules load lazily here so `hearth --version` stays fast.
 */
export async function createHearth(options: CreateHearthOptions = {}): Promise<Hearth> {
  const config = options.config ?? (await loadConfig(options));
  const redactor = options.redactor ?? new Redactor();
  redactor.addSecrets(config.secrets);
  const logFile = config.logFile ?? defaultLogFile(config.dataDir);
  const log =
    options.logger ??
    createLogger({ level: config.logLevel, redactor, file: logFile, console: options.console ?? 'json' });
  // config is authoritative ('' = SQLite): it already read HEARTH_DATABASE_URL
  const database = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl ?? '' });
  const closers: (() => Promise<void> | void)[] = [() => database.close()];
  const work = new WorkTracker();
  const registry = new TrackedRegistry(work);
  const storage = database.plugins;
  try {
    const db = database.sqlite ?? openDatabase(config.dataDir);
    if (db !== database.sqlite) closers.unshift(() => void (db.open && db.close()));
    log.info({ engine: database.engine, location: database.location }, 'database open');
    const { createModelRegistry } = await import('./providers/registry.js');
    const models = await createModelRegistry(config, {
      log: log.child({ area: 'models' }),
      redactor,
      trustedEndpoints: config.models.trustedEndpoints,
    });
    closers.unshift(() => models.close());

    const { openKnowledgeStore } = await import('./knowledge/index.js');
    const knowledge = await openKnowledgeStore({
      dir: join(config.dataDir, 'knowledge'),
      uri: config.knowledge.uri,
      storageOptions: config.knowledge.storageOptions,
      refreshSeconds: config.knowledge.refreshSeconds,
      // with PostgreSQL, the writer publishes its source list there and every reader lists from it
      shared: database.engine === 'postgres' ? database.sql : undefined,
      // with a shared queue the `ingest` worker writes; other processes only read (no repair at open)
      writer: options.knowledgeWriter ?? !config.redisUrl,
      embedder: await models.embedder(),
      resolveEmbedder: (ref: string) => models.embedder(ref),
      limits: {
        maxBytes: config.knowledge.maxFileBytes,
        allowPrivateUrls: config.knowledge.allowPrivateUrls,
        allowedUrlHosts: config.knowledge.allowedUrlHosts,
      },
      log: log.child({ area: 'knowledge' }),
    });
    closers.unshift(() => knowledge.close());

    const { createEngine } = await import('./engine/index.js');
    const engine = await createEngine({
      config,
      conversations: database.conversations,
      models,
      knowledge,
      registry,
      log: log.child({ area: 'engine' }),
      redactor,
    });

    const { PluginHost } = await import('./plugins/host.js');
    const plugins = new PluginHost({
      config,
      registry,
      storage,
      models,
      knowledge,
      log: log.child({ area: 'plugins' }),
      redactor,
      importPlugin: options.importPlugin ?? ((s) => import(s)),
    });
    closers.unshift(() => plugins.unloadAll());

    const { registerBuiltinTools } = await import('./builtins/index.js');
    registerBuiltinTools({ registry, engine, knowledge, plugins });
    let mcpServers: McpServers | undefined;
    if (!options.skipPlugins) {
      await plugins.loadConfigured();
      if (config.mcp.servers.length > 0) {
        const { connectMcpServers } = await import('./mcp-client/index.js');
        // envFrom and tokenEnv may be set in .env, like every other secret
        const env = { ...process.env, ...config.secrets.named };
        mcpServers = await connectMcpServers({ config, registry, log, env });
        const servers = mcpServers;
        closers.unshift(() => servers.close());
      }
    }

    let queue: JobQueue | undefined;
    let knowledgeQueue: JobQueue | undefined;
    if (config.redisUrl) {
      const { openQueue } = await import('./queue/index.js');
      const opened = await openQueue('tools', { redisUrl: config.redisUrl });
      queue = opened;
      closers.unshift(() => opened.close());
      if (!options.executeQueuedTools) {
        // tools with a queue of their own (the knowledge writers -> `ingest`), each queue opened once
        const routes: Record<string, JobQueue> = {};
        const byName = new Map<string, JobQueue>([['tools', opened]]);
        for (const [tool, name] of Object.entries(config.jobs.queues)) {
          let q = byName.get(name);
          if (!q) {
            q = await openQueue(name, { redisUrl: config.redisUrl });
            byName.set(name, q);
            const own = q;
            closers.unshift(() => own.close());
          }
          routes[tool] = q;
        }
        knowledgeQueue = routes.add_knowledge;
        // after plugins loaded: the routing covers their tools (and, per its contract, later ones)
        const { queueTools } = await import('./queue/remote-tools.js');
        const undo = queueTools({
          registry,
          queue: opened,
          tools: config.jobs.queued, // a tool in routes goes to its own queue instead
          routes,
          log: log.child({ area: 'queue' }),
        });
        closers.unshift(undo);
      }
    }

    let closed: Promise<void> | undefined;
    return {
      config,
      log,
      redactor,
      logFile,
      idle: (timeoutMs) => work.idle(timeoutMs),
      database,
      db,
      registry,
      plugins,
      models,
      knowledge,
      engine,
      storage,
      queue,
      knowledgeQueue,
      mcpServers,
      close: () => (closed ??= runClosers(closers)),
    };
  } catch (err) {
    await runClosers(closers);
    throw err;
  }
}

async function runClosers(closers: (() => Promise<void> | void)[]): Promise<void> {
  for (const close of closers) {
    try {
      await close();
    } catch {
      // keep closing the rest
    }
  }
}

/** Counts tool calls in flight so a stopping server can wait for them. */
class WorkTracker {
  private running = 0;
  private waiters: (() => void)[] = [];

  track<T>(promise: Promise<T>): Promise<T> {
    this.running++;
    return promise.finally(() => {
      if (--this.running === 0) for (const w of this.waiters.splice(0)) w();
    });
  }

  idle(timeoutMs: number): Promise<boolean> {
    if (this.running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/**
 * The registry, with every tool's calls counted by a {@link WorkTracker} (whichever surface calls
 * it). Installed first, the counting wrapper is the outermost one, so calls routed to the job queue
 * are counted too: a stopping server waits for their results.
 */
class TrackedRegistry extends ToolRegistry {
  constructor(work: WorkTracker) {
    super();
    this.wrapInvoke(
      () => true,
      (_tool, next) => (input, options) => work.track(next(input, options)),
    );
  }
}
