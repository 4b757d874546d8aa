import type { HearthConfig } from '../config/schema.js';
import type { KnowledgeStore } from '../knowledge/types.js';
import type { HearthLogger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { ModelRegistry } from '../providers/types.js';
import type { PluginStorage } from '../storage/plugin-storage.js';
import type { PluginCandidate } from './loader.js';
import type { ToolRegistry } from './registry.js';

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
