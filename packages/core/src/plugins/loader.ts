import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type PluginDefinition, PluginDefinitionError, validatePlugin } from '@hearth/sdk';
import semver from 'semver';
import type { HearthConfig } from '../config/schema.js';

/** The first-party plugins; they load through the same path as any third-party package. */
export const FIRST_PARTY_PLUGINS = ['@hearth/plugin-diffusion', '@hearth/plugin-gan'] as const;

/** Where a plugin to load was found. */
export interface PluginCandidate {
  /** A package name, or an absolute path to a package folder or module file. */
  specifier: string;
  origin: 'config' | 'folder' | 'first-party' | 'manual';
}

/** True when Hearth runs from its TypeScript sources (tests, `pnpm hearth`), not from a build. */
export const SOURCE_MODE = import.meta.url.endsWith('.ts');

/** True for `./x`, `../x`, `/x`, `C:\x` and `~`-free relative paths with a separator; false for package names. */
export function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith('.') || isAbsolute(specifier) || specifier.startsWith('file:');
}

/** The folder whose every package is a plugin: `plugins.dir`, default `<dataDir>/plugins`. */
export function pluginsFolder(config: HearthConfig, cwd: string): string {
  return resolve(cwd, config.plugins.dir ?? join(config.dataDir, 'plugins'));
}

/**
 * Every plugin the config asks for, in load order: `plugins.load`, then each package folder in the
 * plugins folder (folders without package.json, such as plugins' private data folders, are
 * skipped), then the first-party plugins when `plugins.firstParty`. Duplicates are dropped.
 */
export function discoverPlugins(config: HearthConfig, cwd: string): PluginCandidate[] {
  const found: PluginCandidate[] = [];
  const seen = new Set<string>();
  const push = (specifier: string, origin: PluginCandidate['origin']) => {
    const key = isPathSpecifier(specifier) ? resolve(cwd, specifier) : specifier;
    if (seen.has(key)) return;
    seen.add(key);
    found.push({ specifier: key, origin });
  };
  for (const s of config.plugins.load) push(s, 'config');
  for (const dir of packageFolders(pluginsFolder(config, cwd))) push(dir, 'folder');
  if (config.plugins.firstParty) for (const s of FIRST_PARTY_PLUGINS) push(s, 'first-party');
  return found;
}

function packageFolders(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
    const dir = join(root, entry.name);
    if (entry.name.startsWith('@')) {
      out.push(...packageFolders(dir).filter((d) => existsSync(join(d, 'package.json'))));
    } else if (existsSync(join(dir, 'package.json'))) {
      out.push(dir);
    }
  }
  return out;
}

/**
 * The module URL of a path specifier: a module file as is, a package folder through its
 * package.json (`exports["."]`, then `module`/`main`, then index.js/index.ts).
 */
export function moduleUrlOfPath(path: string): string {
  if (path.startsWith('file:')) return path;
  if (!existsSync(path))
    throw new PluginDefinitionError(`Plugin path ${path} does not exist; fix plugins.load or remove it.`);
  if (statSync(path).isFile()) return pathToFileURL(path).href;
  return pathToFileURL(packageEntry(path)).href;
}

function packageEntry(dir: string): string {
  const pkgPath = join(dir, 'package.json');
  const pkg = existsSync(pkgPath) ? (JSON.parse(readFileSync(pkgPath, 'utf8')) as Record<string, unknown>) : {};
  const conditions = SOURCE_MODE ? ['hearth-source', 'import', 'module', 'default'] : ['import', 'module', 'default'];
  const candidates: string[] = [];
  const root =
    pkg.exports && typeof pkg.exports === 'object' && '.' in pkg.exports
      ? (pkg.exports as Record<string, unknown>)['.']
      : pkg.exports;
  collectTargets(root, conditions, candidates);
  for (const field of ['module', 'main']) if (typeof pkg[field] === 'string') candidates.push(pkg[field] as string);
  candidates.push('index.js', 'index.mjs', 'index.ts', 'src/index.ts');
  const hit = candidates.map((c) => resolve(dir, c)).find((p) => existsSync(p) && statSync(p).isFile());
  if (!hit) {
    throw new PluginDefinitionError(
      `Plugin package ${dir} has no entry module (tried ${[...new Set(candidates)].join(', ')}); build it or set "exports" in its package.json.`,
    );
  }
  return hit;
}

function collectTargets(node: unknown, conditions: string[], out: string[]): void {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) for (const n of node) collectTargets(n, conditions, out);
  else if (node && typeof node === 'object') {
    for (const c of conditions) if (c in node) collectTargets((node as Record<string, unknown>)[c], conditions, out);
  }
}

/**
 * Finds a package by name for code that cannot use the application's importer (worker threads):
 * looks in node_modules folders above the working directory, the running script and `extraRoots`.
 */
export function findPackageFolder(name: string, roots: string[]): string | undefined {
  for (const start of roots) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return undefined;
}

/** The plugin definition a module exports: `export default definePlugin(...)` (or `export const plugin`). */
export function pluginFromModule(mod: unknown, source: string): PluginDefinition {
  const ns = mod as { default?: unknown; plugin?: unknown } | undefined;
  let def = ns?.default ?? ns?.plugin;
  // CommonJS or double-wrapped default exports
  if (def && typeof def === 'object' && 'default' in def && !('id' in def)) def = (def as { default: unknown }).default;
  if (!def || typeof def !== 'object') {
    throw new PluginDefinitionError(
      `${source} exports no plugin; add \`export default definePlugin({ ... })\` to its entry module.`,
    );
  }
  validatePlugin(def);
  return def;
}

/** Throws a clear error when the plugin's `hearth` range does not include the host's version. */
export function checkCompatibility(plugin: PluginDefinition, hostVersion: string): void {
  const range = semver.validRange(plugin.hearth);
  if (!range) {
    throw new PluginDefinitionError(
      `Plugin "${plugin.id}" declares hearth: "${plugin.hearth}", which is not a semver range; use one such as "^${hostVersion}".`,
    );
  }
  if (!semver.satisfies(hostVersion, range, { includePrerelease: true })) {
    throw new PluginDefinitionError(
      `Plugin "${plugin.id}" ${plugin.version} supports Hearth ${plugin.hearth}, but this is Hearth ${hostVersion}; install a plugin version made for ${hostVersion} or change its "hearth" range.`,
    );
  }
}
