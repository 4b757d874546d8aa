import { dirname } from 'node:path';
import type { AtomicStorageApi, PluginDefinition } from '@hearth/sdk';
import type { HearthConfig } from '../../config/schema.js';
import type { HearthLogger } from '../../log/logger.js';
import type { Grant } from '../grants.js';
import { findPackageFolder, moduleUrlOfPath, pluginsFolder } from '../loader.js';
import { PluginWorker } from './client.js';

/**
 * The worker thread of a plugin with `worker: true` tools, or undefined when it has none or its
 * module cannot be located from a thread (then those tools run in the main thread, with a warning).
 */
export function workerForPlugin(o: {
  plugin: PluginDefinition;
  source: string;
  /** The module URL when it was loaded by path. */
  moduleUrl?: string;
  grant: Grant;
  log: HearthLogger;
  storage?: AtomicStorageApi;
  config: HearthConfig;
  cwd: string;
  resolvePlugin?: (specifier: string) => string | undefined;
  graceMs: number;
}): PluginWorker | undefined {
  if (!o.plugin.tools.some((t) => t.worker)) return undefined;
  const url = o.moduleUrl ?? resolvePackage(o.source, o);
  if (!url) {
    o.log.warn(
      { source: o.source },
      `cannot locate the module of "${o.source}" for a worker thread; its worker tools run in the main thread`,
    );
    return undefined;
  }
  return new PluginWorker({
    pluginId: o.plugin.id,
    moduleUrl: url,
    granted: [...o.grant.granted],
    log: o.log,
    lifecycleStorage: o.storage,
    graceMs: o.graceMs,
    // importing from sources through tsx takes seconds on a busy machine
    startTimeoutMs: o.config.plugins.setupTimeoutMs + 30_000,
  });
}

/** A package name's module URL: the application's resolver if given, else node_modules above cwd, the script and the plugins folder. */
function resolvePackage(
  name: string,
  o: { config: HearthConfig; cwd: string; resolvePlugin?: (specifier: string) => string | undefined },
): string | undefined {
  try {
    const custom = o.resolvePlugin?.(name);
    if (custom) return custom;
    const roots = [o.cwd, dirname(process.argv[1] ?? o.cwd), pluginsFolder(o.config, o.cwd)];
    const dir = findPackageFolder(name, roots);
    return dir ? moduleUrlOfPath(dir) : undefined;
  } catch {
    return undefined;
  }
}
