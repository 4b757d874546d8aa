import { dirname, resolve } from 'node:path';
import { type AnyToolDefinition, HearthError, type PluginDefinition, type PluginLifecycleContext } from '@hearth/sdk';
import type { HearthConfig } from '../config/schema.js';
import type { KnowledgeStore } from '../knowledge/types.js';
import type { HearthLogger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { ModelRegistry } from '../providers/types.js';
import type { PluginStorage } from '../storage/plugin-storage.js';
import { HEARTH_VERSION } from '../version.js';
import { registeredTool } from './adapt.js';
import { type EscapedFailure, installCrashGuard, pluginScope } from './crash-guard.js';
import { callerLogger, type Grant, grantFor, servicesFor } from './grants.js';
import { runLifecycleHook } from './lifecycle.js';
import {
  checkCompatibility,
  discoverPlugins,
  findPackageFolder,
  isPathSpecifier,
  moduleUrlOfPath,
  type PluginCandidate,
  pluginFromModule,
  pluginsFolder,
} from './loader.js';
import type { RegisteredTool, ToolRegistry } from './registry.js';
import { PluginWorker } from './worker/client.js';

/** What the host needs from the runtime (see createHearth). */
export interface PluginHostOptions {
  config: HearthConfig;
  registry: ToolRegistry;
  storage: PluginStorage;
  models: ModelRegistry;
  knowledge: KnowledgeStore;
  log: HearthLogger;
  redactor: Redactor;
  /** Imports a plugin module by package name or file URL, resolved from the application. */
  importPlugin: (specifier: string) => Promise<unknown>;
  /** Resolves a package name to its module URL, for worker threads (default: search node_modules). */
  resolvePlugin?: (specifier: string) => string | undefined;
  /** Base of relative paths in `plugins.load` and `plugins.dir`; default process.cwd(). */
  cwd?: string;
  /** Start worker threads at load instead of on the first call (a long-running bot; not one-shot CLI commands). */
  prewarmWorkers?: boolean;
  /** How long a cancelled worker-thread call may run on before its thread is terminated; default 2000 ms. */
  workerGraceMs?: number;
}

/** A loaded plugin, as `list_plugins`, `hearth plugins list` and `hearth doctor` show it. */
export interface PluginInfo {
  id: string;
  version: string;
  description: string;
  /** Registry names, `<id>_<tool>`. */
  tools: string[];
  granted: string[];
  /** Declared permissions the operator withheld through `plugins.grants`. */
  withheld: string[];
  /** Tools that run in a worker thread. */
  workerTools: string[];
  /** Package name or path it was loaded from. */
  source: string;
  origin: PluginCandidate['origin'];
}

/** A plugin that could not be loaded. */
export interface PluginFailure {
  source: string;
  origin: PluginCandidate['origin'];
  /** Says what is wrong and how to fix it; secrets redacted. */
  error: string;
}

/** A change in the set of plugins. */
export type PluginEvent =
  | { kind: 'loaded' | 'unloaded'; id: string }
  | { kind: 'failed'; source: string; error: string };

interface LoadedPlugin {
  info: PluginInfo;
  definition: PluginDefinition;
  candidate: PluginCandidate;
  lifecycle: PluginLifecycleContext;
  lifetime: AbortController;
  inflight: Set<AbortController>;
  worker?: PluginWorker;
}

let nextHostId = 1;
const FIRST_PARTY_HINT = 'Hearth runs without it; set plugins.firstParty to false to stop loading first-party plugins.';

/**
 * Loads plugins (config, plugins folder, first-party) into the one tool registry, and unloads and
 * reloads them at run time. Each plugin's tools are namespaced `<id>_<tool>`, checked against
 * every surface, granted the operator's permissions, and called through the SDK's safe wrapper; a
 * plugin's failures (throws, hangs, escaped rejections) are contained and logged against it.
 */
export class PluginHost {
  private readonly hostId = nextHostId++;
  private readonly plugins = new Map<string, LoadedPlugin>();
  private failed: PluginFailure[] = [];
  private readonly listeners = new Set<(event: PluginEvent) => void>();
  private uninstallGuard?: () => void;
  private queue: Promise<unknown> = Promise.resolve();
  private reloads = 0;
  private readonly cwd: string;

  constructor(private readonly o: PluginHostOptions) {
    this.cwd = o.cwd ?? process.cwd();
    this.ensureGuard();
  }

  /**
   * Loads every configured plugin: `plugins.load`, the plugins folder, then the first-party plugins.
   * One plugin failing never stops the others; failures are logged with their fix and kept in
   * {@link failures}.
   */
  async loadConfigured(): Promise<{ loaded: PluginInfo[]; failed: PluginFailure[] }> {
    const loaded: PluginInfo[] = [];
    const failed: PluginFailure[] = [];
    for (const candidate of discoverPlugins(this.o.config, this.cwd)) {
      try {
        const info = await this.serial(() => this.loadCandidate(candidate));
        if (info) loaded.push(info);
      } catch (err) {
        failed.push(this.recordFailure(candidate, err));
      }
    }
    return { loaded, failed };
  }

  /** Loads one plugin by package name or path; throws a {@link HearthError} that says what to fix. */
  async load(specifierOrPath: string): Promise<PluginInfo> {
    const specifier = isPathSpecifier(specifierOrPath)
      ? moduleSpecifierPath(this.cwd, specifierOrPath)
      : specifierOrPath;
    const candidate: PluginCandidate = { specifier, origin: 'manual' };
    try {
      const info = await this.serial(() => this.loadCandidate(candidate));
      if (!info)
        throw new HearthError(
          'plugin_denied',
          `The plugin at ${specifier} is listed in plugins.deny; remove it there to load it.`,
        );
      return info;
    } catch (err) {
      this.recordFailure(candidate, err);
      throw err;
    }
  }

  /** Unloads a plugin: its tools leave the registry (and every surface), in-flight calls are cancelled, teardown runs. */
  unload(id: string): Promise<boolean> {
    return this.serial(() => this.unloadNow(id));
  }

  /** Unloads and loads a plugin again from the same source (entry modules loaded by path are re-imported fresh). */
  reload(id: string): Promise<PluginInfo> {
    return this.serial(async () => {
      const plugin = this.plugins.get(id);
      if (!plugin)
        throw new HearthError(
          'unknown_plugin',
          `No plugin "${id}" is loaded; loaded: ${[...this.plugins.keys()].join(', ') || 'none'}.`,
        );
      await this.unloadNow(id);
      const info = await this.loadCandidate(plugin.candidate, ++this.reloads);
      if (!info) throw new HearthError('plugin_denied', `Plugin "${id}" is now listed in plugins.deny.`);
      return info;
    });
  }

  /** Unloads every plugin (last loaded first) and removes the process-level guards. */
  async unloadAll(): Promise<void> {
    await this.serial(async () => {
      for (const id of [...this.plugins.keys()].reverse()) await this.unloadNow(id);
    });
    this.uninstallGuard?.();
    this.uninstallGuard = undefined;
  }

  /** Loaded plugins in load order. */
  list(): PluginInfo[] {
    return [...this.plugins.values()].map((p) => p.info);
  }

  /** Plugins that failed to load since start (a later successful load of the same source clears its entry). */
  failures(): PluginFailure[] {
    return [...this.failed];
  }

  /** A loaded plugin's definition (for generated docs). */
  definition(id: string): PluginDefinition | undefined {
    return this.plugins.get(id)?.definition;
  }

  /** Subscribes to loads, unloads and failures; returns the unsubscribe function. */
  onChange(listener: (event: PluginEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async loadCandidate(candidate: PluginCandidate, reload?: number): Promise<PluginInfo | undefined> {
    this.ensureGuard();
    const { config } = this.o;
    const source = candidate.specifier;
    const moduleUrl = isPathSpecifier(source) ? moduleUrlOfPath(source) : undefined;
    const target = moduleUrl ? (reload ? `${moduleUrl}?reload=${reload}` : moduleUrl) : source;
    let mod: unknown;
    try {
      mod = await this.o.importPlugin(target);
    } catch (err) {
      const fix = moduleUrl
        ? 'check that the module and its dependencies are installed and build without errors'
        : `install the package "${source}" next to Hearth, or fix plugins.load`;
      throw new HearthError('plugin_import_failed', `Cannot import plugin ${source}: ${errorText(err)}. Fix: ${fix}.`, {
        cause: err,
      });
    }
    const definition = pluginFromModule(mod, source);
    const { id } = definition;
    if (config.plugins.deny.includes(id)) {
      this.o.log.info({ plugin: id, source }, `plugin "${id}" is in plugins.deny; not loading it`);
      return undefined;
    }
    const existing = this.plugins.get(id);
    if (existing) {
      throw new HearthError(
        'plugin_exists',
        `Plugin "${id}" from ${source} is already loaded from ${existing.info.source}; remove one of them.`,
      );
    }
    checkCompatibility(definition, HEARTH_VERSION);
    const grant = grantFor(definition, config);
    const log = this.o.log.child({ plugin: id });
    const lifetime = new AbortController();
    const inflight = new Set<AbortController>();
    const storage = grant.granted.has('storage') ? this.o.storage.scoped(id) : undefined;
    const lifecycle: PluginLifecycleContext = {
      log: callerLogger(log),
      storage,
      granted: grant.granted,
      signal: lifetime.signal,
    };
    const worker = this.workerFor(definition, source, moduleUrl && target, grant, log, storage);
    const entries = definition.tools.map((tool) => this.entry(definition, tool, grant, log, inflight, worker));
    this.checkNames(id, entries);

    try {
      await runLifecycleHook(definition, 'setup', lifecycle, config.plugins.setupTimeoutMs, this.hostId);
    } catch (err) {
      lifetime.abort(err);
      await worker?.close(1000);
      throw err;
    }
    try {
      this.o.registry.add(entries);
    } catch (err) {
      await runLifecycleHook(definition, 'teardown', lifecycle, config.plugins.setupTimeoutMs, this.hostId).catch(
        () => {},
      );
      lifetime.abort(err);
      await worker?.close(1000);
      throw err;
    }
    const info: PluginInfo = {
      id,
      version: definition.version,
      description: definition.description,
      tools: entries.map((e) => e.name),
      granted: [...grant.granted],
      withheld: grant.withheld,
      workerTools: worker ? definition.tools.filter((t) => t.worker).map((t) => `${id}_${t.name}`) : [],
      source,
      origin: candidate.origin,
    };
    this.plugins.set(id, { info, definition, candidate, lifecycle, lifetime, inflight, worker });
    this.failed = this.failed.filter((f) => f.source !== source);
    if (worker && this.o.prewarmWorkers) {
      worker.start().catch((err) => {
        if (this.plugins.get(id)?.worker !== worker) return; // unloaded meanwhile
        log.error(
          { err: this.redact(errorText(err)) },
          'worker thread failed to start; it is retried on the next call',
        );
      });
    }
    this.logLoaded(log, info, grant);
    this.emit({ kind: 'loaded', id });
    return info;
  }

  private entry(
    plugin: PluginDefinition,
    tool: AnyToolDefinition,
    grant: Grant,
    log: HearthLogger,
    inflight: Set<AbortController>,
    worker?: PluginWorker,
  ): RegisteredTool {
    const scope = { hostId: this.hostId, pluginId: plugin.id, phase: 'call' as const, tool: tool.name };
    const run: AnyToolDefinition['run'] =
      worker && tool.worker
        ? (input, ctx) => worker.run(tool.name, input, ctx) as never
        : (input, ctx) => tool.run(input, ctx);
    const entry = registeredTool({
      tool: { ...tool, run: (input, ctx) => pluginScope.run(scope, () => run(input, ctx)) },
      name: `${plugin.id}_${tool.name}`,
      origin: { kind: 'plugin', pluginId: plugin.id, version: plugin.version },
      ownerId: plugin.id,
      granted: grant.granted,
      defaultTimeoutMs: this.o.config.plugins.timeoutMs,
      services: servicesFor(plugin.id, this.o),
      log: (caller) => callerLogger(log, caller, tool.name),
    });
    const invoke = entry.invoke;
    // Each call gets its own controller so unloading the plugin cancels what is still running.
    entry.invoke = (input, options) => {
      const call = new AbortController();
      const outer = options.signal;
      const follow = () => call.abort(outer?.reason);
      if (outer?.aborted) follow();
      else outer?.addEventListener('abort', follow, { once: true });
      inflight.add(call);
      return invoke(input, { ...options, signal: call.signal })
        .catch((err: unknown) => {
          // a plugin's message may quote a secret it was handed; callers and logs never see it
          if (err instanceof Error) err.message = this.redact(err.message);
          throw err;
        })
        .finally(() => {
          inflight.delete(call);
          outer?.removeEventListener('abort', follow);
        });
    };
    return entry;
  }

  private workerFor(
    plugin: PluginDefinition,
    source: string,
    moduleUrl: string | undefined,
    grant: Grant,
    log: HearthLogger,
    storage: PluginLifecycleContext['storage'],
  ): PluginWorker | undefined {
    if (!plugin.tools.some((t) => t.worker)) return undefined;
    const url = moduleUrl ?? this.resolvePackage(source);
    if (!url) {
      log.warn(
        { source },
        `cannot locate the module of "${source}" for a worker thread; its worker tools run in the main thread`,
      );
      return undefined;
    }
    return new PluginWorker({
      pluginId: plugin.id,
      moduleUrl: url,
      granted: [...grant.granted],
      log,
      lifecycleStorage: storage,
      graceMs: this.o.workerGraceMs ?? 2000,
      startTimeoutMs: this.o.config.plugins.setupTimeoutMs + 30_000,
    });
  }

  private resolvePackage(name: string): string | undefined {
    try {
      const custom = this.o.resolvePlugin?.(name);
      if (custom) return custom;
      const roots = [this.cwd, dirname(process.argv[1] ?? this.cwd), pluginsFolder(this.o.config, this.cwd)];
      const dir = findPackageFolder(name, roots);
      return dir ? moduleUrlOfPath(dir) : undefined;
    } catch {
      return undefined;
    }
  }

  private checkNames(pluginId: string, entries: RegisteredTool[]): void {
    const taken = new Map(this.o.registry.list().map((t) => [t.name, t]));
    for (const e of entries) {
      const owner = taken.get(e.name);
      if (!owner) continue;
      const by =
        owner.origin.kind === 'plugin'
          ? `plugin "${owner.origin.pluginId}"`
          : owner.origin.kind === 'mcp'
            ? `MCP server "${owner.origin.server}"`
            : 'a built-in tool';
      throw new HearthError(
        'name_collision',
        `Tool name "${e.name}" of plugin "${pluginId}" is already taken by ${by}; rename the tool or the plugin id.`,
      );
    }
  }

  private async unloadNow(id: string): Promise<boolean> {
    const plugin = this.plugins.get(id);
    if (!plugin) return false;
    this.plugins.delete(id);
    this.o.registry.remove((t) => t.origin.kind === 'plugin' && t.origin.pluginId === id);
    for (const call of plugin.inflight) call.abort(new Error(`plugin "${id}" was unloaded`));
    const log = this.o.log.child({ plugin: id });
    try {
      await runLifecycleHook(
        plugin.definition,
        'teardown',
        plugin.lifecycle,
        this.o.config.plugins.setupTimeoutMs,
        this.hostId,
      );
    } catch (err) {
      log.warn({ err: this.redact(errorText(err)) }, 'teardown failed; the plugin is unloaded anyway');
    }
    await plugin.worker?.close(this.o.config.plugins.setupTimeoutMs);
    plugin.lifetime.abort(new Error(`plugin "${id}" was unloaded`));
    log.info({ tools: plugin.info.tools }, `plugin "${id}" unloaded`);
    this.emit({ kind: 'unloaded', id });
    return true;
  }

  private recordFailure(candidate: PluginCandidate, err: unknown): PluginFailure {
    const failure: PluginFailure = {
      source: candidate.specifier,
      origin: candidate.origin,
      error: this.redact(errorText(err)),
    };
    this.failed = [...this.failed.filter((f) => f.source !== failure.source), failure];
    if (candidate.origin === 'first-party') {
      this.o.log.warn(
        { source: failure.source },
        `First-party plugin ${failure.source} could not be loaded: ${failure.error} ${FIRST_PARTY_HINT}`,
      );
    } else {
      this.o.log.error({ source: failure.source }, `Plugin ${failure.source} was not loaded: ${failure.error}`);
    }
    this.emit({ kind: 'failed', source: failure.source, error: failure.error });
    return failure;
  }

  private logLoaded(log: HearthLogger, info: PluginInfo, grant: Grant): void {
    log.info(
      {
        version: info.version,
        tools: info.tools,
        granted: info.granted,
        workerTools: info.workerTools,
        source: info.source,
      },
      `plugin "${info.id}" ${info.version} loaded: ${info.tools.join(', ')}; granted ${info.granted.join(', ') || 'no permissions'}`,
    );
    if (grant.withheld.length) {
      log.warn(
        { withheld: grant.withheld },
        `plugin "${info.id}" declares ${grant.withheld.join(', ')}, which plugins.grants.${info.id} does not allow; calls needing them fail with a permission error`,
      );
    }
    if (grant.undeclared.length) {
      log.warn(
        { undeclared: grant.undeclared },
        `plugins.grants.${info.id} lists ${grant.undeclared.join(', ')}, which the plugin does not declare; not granted`,
      );
    }
  }

  private onEscaped(failure: EscapedFailure): void {
    const text = this.redact(errorText(failure.error));
    const what = failure.kind === 'unhandled-rejection' ? 'a promise rejection unhandled' : 'an exception uncaught';
    const scope = failure.scope;
    if (scope) {
      const where = scope.tool ? `tool "${scope.pluginId}_${scope.tool}"` : `its ${scope.phase}`;
      this.o.log.error(
        { plugin: scope.pluginId, tool: scope.tool, phase: scope.phase, kind: failure.kind },
        `Plugin "${scope.pluginId}" (${where}) left ${what}: ${text}. Hearth keeps running; the plugin should await or catch it.`,
      );
    } else {
      this.o.log.error(
        { kind: failure.kind },
        `Unhandled promise rejection outside any plugin call: ${text}. Hearth keeps running.`,
      );
    }
  }

  private ensureGuard(): void {
    this.uninstallGuard ??= installCrashGuard(this.hostId, (f) => this.onEscaped(f));
  }

  private emit(event: PluginEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a listener failing must not break loading
      }
    }
  }

  private redact(text: string): string {
    return this.o.redactor.redact(text);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }
}

function moduleSpecifierPath(cwd: string, p: string): string {
  return p.startsWith('file:') ? p : resolve(cwd, p);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
