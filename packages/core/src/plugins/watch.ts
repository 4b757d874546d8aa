import { existsSync, type FSWatcher, mkdirSync, readFileSync, statSync, watch, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where `hearth plugins reload <id>` leaves a request for every Hearth process on the same data
 * folder (the bot, the MCP server): one file per plugin id.
 */
export function reloadRequestDir(dataDir: string): string {
  return join(resolve(dataDir), 'plugins', '.reload-requests');
}

/** Asks every Hearth process on `dataDir` (except this one) to reload plugin `id`. */
export function requestReload(dataDir: string, id: string): string {
  const dir = reloadRequestDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, id);
  writeFileSync(file, JSON.stringify({ pid: process.pid, at: Date.now() }));
  return file;
}

/**
 * Calls `onRequest(id)` for reload requests other processes leave in the data folder. Returns a
 * stop function. The watcher never keeps the process alive.
 */
export function watchReloadRequests(dataDir: string, onRequest: (id: string) => void): () => void {
  const dir = reloadRequestDir(dataDir);
  let watcher: FSWatcher | undefined;
  try {
    mkdirSync(dir, { recursive: true });
    watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (!name || name.startsWith('.')) return;
      try {
        const request = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { pid?: number };
        if (request.pid !== process.pid) onRequest(name);
      } catch {
        // a half-written or removed request: the next event has it whole
      }
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    return () => {};
  }
  return () => watcher?.close();
}

/** The folder to watch for a plugin source: a package folder, or the folder of a module file. */
export function sourceFolder(source: string): string | undefined {
  const path = source.startsWith('file:') ? fileURLToPath(source) : source;
  if (!existsSync(path)) return undefined;
  return statSync(path).isDirectory() ? path : dirname(path);
}

/**
 * Calls `onChange` (debounced) when a file under `folder` changes, ignoring node_modules, dist
 * and dot folders. Returns a stop function.
 */
export function watchSources(folder: string, onChange: (file: string) => void, debounceMs = 150): () => void {
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  const watcher = watch(folder, { recursive: true, persistent: true }, (_event, name) => {
    const file = String(name ?? '');
    if (/(^|[\\/])(node_modules|dist|\.[^\\/]+)([\\/]|$)/.test(file)) return;
    last = file;
    clearTimeout(timer);
    timer = setTimeout(() => onChange(last), debounceMs);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
