import type { AtomicStorageApi, StorageApi } from '../context.js';

/** Per-key queues: one chain of pending writes per lock id and key. */
const queues = new Map<string, Promise<unknown>>();
const objectIds = new WeakMap<object, string>();
let nextObject = 1;

function lockIdOf(storage: object): string {
  let id = objectIds.get(storage);
  if (!id) {
    id = `obj:${nextObject++}`;
    objectIds.set(storage, id);
  }
  return id;
}

/** Runs `work` after every earlier write of the same key in the same store has finished. */
function serialised<T>(lock: string, key: string, work: () => Promise<T>): Promise<T> {
  const slot = `${lock}\u0000${key}`;
  const before = queues.get(slot) ?? Promise.resolve();
  const mine = before.then(work, work);
  const tail = mine.catch(() => {});
  queues.set(slot, tail);
  void tail.then(() => {
    if (queues.get(slot) === tail) queues.delete(slot);
  });
  return mine;
}

/**
 * Adds `update(key, fn)` to a store and makes `set`, `delete` and `update` of one key run one
 * after another, so a read-modify-write never loses a concurrent write in this process. A store
 * with its own `update` (Hearth's, compare-and-set across processes) keeps it, queued the same way.
 * `lockId` names the underlying rows (e.g. `plugin|guild`) when several objects share them.
 */
export function withAtomicUpdate(storage: StorageApi | AtomicStorageApi, lockId?: string): AtomicStorageApi {
  const lock = lockId ?? lockIdOf(storage);
  const native = 'update' in storage && typeof storage.update === 'function' ? storage : undefined;
  return {
    get: (key) => storage.get(key),
    keys: (prefix) => storage.keys(prefix),
    dir: () => storage.dir(),
    set: (key, value) => serialised(lock, key, () => storage.set(key, value)),
    delete: (key) => serialised(lock, key, () => storage.delete(key)),
    update: <T>(key: string, fn: (current: T | undefined) => T | Promise<T>) =>
      serialised(lock, key, async () => {
        if (native) return native.update<T>(key, fn);
        const next = await fn(await storage.get<T>(key));
        await storage.set(key, next);
        return next;
      }),
  };
}

/** Storage behind a permission check; `update` is made atomic when the host's store lacks it. */
export function guardedStorage(storage: StorageApi | AtomicStorageApi, need: () => void): AtomicStorageApi {
  // resolved on first use: a host without storage (built-ins) still builds a ctx
  let atomic: AtomicStorageApi | undefined;
  const inner = () => {
    atomic ??= 'update' in storage && typeof storage.update === 'function' ? storage : withAtomicUpdate(storage);
    return atomic;
  };
  return {
    get: async (k) => (need(), inner().get(k)),
    set: async (k, v) => (need(), inner().set(k, v)),
    delete: async (k) => (need(), inner().delete(k)),
    keys: async (p) => (need(), inner().keys(p)),
    dir: async () => (need(), inner().dir()),
    update: async <T>(k: string, fn: (current: T | undefined) => T | Promise<T>) => (need(), inner().update<T>(k, fn)),
  };
}
