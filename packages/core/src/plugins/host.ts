import { resolve } from 'node:path';
import { groupClash, HearthError, type PluginDefinition, type PluginLifecycleContext, toolNames } from '@hearth/sdk';
import { ReadonlyPermissionSet } from '@hearth/sdk/host';
import { HEARTH_VERSION } from '../version.js';
import { installCrashGuard } from './crash-guard.js';
import { callerLogger, grantFor, scopedStorage, servicesFor } from './grants.js';
import { runLifecycleHook } from './lifecycle.js';
import {
  checkCompatibility,
  discoverPlugins,
  findPackageFolder,
  isPathSpecifier,
  moduleUrlOfPath,
  type PluginCandidate,
  pluginFromModule,
} from './loader.js';
import { logEscaped, logLoaded } from './reporting.js';
import { assertNamesFree, pluginToolEntry } from './tool-entry.js';
import type { PluginEvent, PluginFailure, PluginHostOptions, PluginInfo } from './types.js';
import { requestReload, sourceFolder, watchReloadRequests, watchSources } from './watch.js';
import type { PluginWorker } from './worker/client.js';
import { workerForPlugin } from './worker/create.js';

export type { PluginEvent, PluginFailure, PluginHostOptions, PluginInfo } from './types.js';

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
  private readonly stopWatching = new Set<() => void>();

  constructor(private readonly o: PluginHostOptions) {
    this.cwd = o.cwd ?? process.cwd();
    this.ensureGuard();
    // `hearth plugins reload <id>` in another process asks this one through the data folder
    const stop = watchReloadRequests(resolve(this.cwd, o.config.dataDir), (id) => {
      if (!this.plugins.has(id)) return;
      this.reload(id).catch((err) =>
        this.o.log.error({ plugin: id }, `plugin "${id}" failed to reload on request: ${this.redact(errorText(err))}`),
      );
    });
    this.stopWatching.add(stop);
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

  /**
   * Unloads and loads a plugin again from the same source (entry modules loaded by path are
   * re-imported fresh). Calls still running end with `plugin "<id>" was reloaded`.
   */
  reload(id: string): Promise<PluginInfo> {
    return this.serial(async () => {
      const plugin = this.plugins.get(id);
      if (!plugin)
        throw new HearthError(
          'unknown_plugin',
          `No plugin "${id}" is loaded; loaded: ${[...this.plugins.keys()].join(', ') || 'none'}.`,
        );
      await this.unloadNow(id, 'reloaded');
      const info = await this.loadCandidate(plugin.candidate, ++this.reloads);
      if (!info) throw new HearthError('plugin_denied', `Plugin "${id}" is now listed in plugins.deny.`);
      return info;
    });
  }

  /**
   * Asks every other Hearth process on this data folder (a running bot or MCP server) to reload
   * plugin `id`; returns the request file. They pick it up within a moment (a file watch).
   */
  requestReload(id: string): string {
    return requestReload(resolve(this.cwd, this.o.config.dataDir), id);
  }

  /**
   * Development mode: reloads plugin `id` whenever a file of its source folder changes (debounced),
   * and reports each reload or failure to `onReload`. Returns a stop function.
   * @throws HearthError when the plugin is not loaded or was loaded by package name without a folder
   */
  watch(id: string, onReload?: (result: { info?: PluginInfo; error?: string; file: string }) => void): () => void {
    const plugin = this.plugins.get(id);
    if (!plugin) throw new HearthError('unknown_plugin', `No plugin "${id}" is loaded.`);
    const source = plugin.candidate.specifier;
    const folder = isPathSpecifier(source) ? sourceFolder(source) : findPackageFolder(source, [this.cwd]);
    if (!folder)
      throw new HearthError('unknown_plugin', `Cannot find the files of plugin "${id}" (${source}) to watch.`);
    const stop = watchSources(folder, (file) => {
      this.reload(id).then(
        (info) => onReload?.({ info, file }),
        (err) => onReload?.({ error: this.redact(errorText(err)), file }),
      );
    });
    this.stopWatching.add(stop);
    return () => {
      stop();
      this.stopWatching.delete(stop);
    };
  }

  /** Unloads every plugin (last loaded first) and removes the process-level guards. */
  async unloadAll(): Promise<void> {
    for (const stop of this.stopWatching) stop();
    this.stopWatching.clear();
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
    const storage = grant.granted.has('storage') ? scopedStorage(this.o.storage, id) : undefined;
    const lifecycle: PluginLifecycleContext = {
      log: callerLogger(log),
      storage,
      // a copy nobody can add to: the grant itself stays the host's
      granted: new ReadonlyPermissionSet(grant.granted),
      signal: lifetime.signal,
    };
    const worker = workerForPlugin({
      plugin: definition,
      source,
      moduleUrl: moduleUrl && target,
      grant,
      log,
      storage,
      config,
      cwd: this.cwd,
      resolvePlugin: this.o.resolvePlugin,
      graceMs: this.o.workerGraceMs ?? 2000,
    });
    const services = servicesFor(id, this.o);
    const entries = definition.tools.map((tool) =>
      pluginToolEntry({
        hostId: this.hostId,
        plugin: definition,
        tool,
        grant,
        log,
        services,
        defaultTimeoutMs: config.plugins.timeoutMs,
        inflight,
        worker,
        redact: (text) => this.redact(text),
      }),
    );
    assertNamesFree(this.o.registry, id, entries);

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
      workerTools: worker ? definition.tools.filter((t) => t.worker).map((t) => toolNames(id, t.name).mcp) : [],
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
    logLoaded(log, info, grant);
    const renamed = groupClash(id);
    if (renamed) log.warn({ plugin: id }, `plugin "${id}": ${renamed} on Discord, MCP and the CLI`);
    this.emit({ kind: 'loaded', id });
    return info;
  }

  private async unloadNow(id: string, why: 'unloaded' | 'reloaded' = 'unloaded'): Promise<boolean> {
    const plugin = this.plugins.get(id);
    if (!plugin) return false;
    this.plugins.delete(id);
    this.o.registry.remove((t) => t.origin.kind === 'plugin' && t.origin.pluginId === id);
    for (const call of plugin.inflight) call.abort(new Error(`plugin "${id}" was ${why}`));
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

  private ensureGuard(): void {
    this.uninstallGuard ??= installCrashGuard(this.hostId, (f) => logEscaped(this.o.log, f, (t) => this.redact(t)));
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
