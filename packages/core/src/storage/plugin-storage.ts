import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AtomicStorageApi } from '@hearth/sdk';
import type { HearthDatabase } from './database.js';
import { KeyedLock } from './keyed-lock.js';
import { type KvBackend, type KvRow, SqliteKv } from './kv-backend.js';

const MAX_VALUE_BYTES = 1024 * 1024;
/** Lost compare-and-set rounds before `update` gives up: only reached under pathological contention. */
const MAX_UPDATE_ROUNDS = 100;

function isBackend(x: HearthDatabase | KvBackend): x is KvBackend {
  return typeof (x as KvBackend).compareAndSet === 'function';
}

/** JSON text of a value to store, or a clear error naming the key. */
function serialise(op: string, key: string, value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`storage.${op}("${key}"): value is not JSON-serialisable`);
  if (Buffer.byteLength(text) > MAX_VALUE_BYTES) {
    throw new RangeError(`storage.${op}("${key}"): value is over 1 MiB; write large data to storage.dir() instead`);
  }
  return text;
}

/**
 * Per-plugin, per-guild key-value storage (SQLite by default, or any {@link KvBackend} such as
 * PostgreSQL's), plus the plugin's private folder. `update` is atomic across processes: it retries
 * a compare-and-set until no other writer got in between, so `fn` may run more than once.
 */
export class PluginStorage {
  private readonly kv: KvBackend;
  private readonly lock = new KeyedLock();

  constructor(
    db: HearthDatabase | KvBackend,
    private readonly dataDir: string,
  ) {
    this.kv = isBackend(db) ? db : new SqliteKv(db);
  }

  /** The storage a plugin sees for one guild (`''` is the global scope). */
  scoped(pluginId: string, guildId = ''): AtomicStorageApi {
    const kv = this.kv;
    const lock = this.lock;
    const row = (key: string): KvRow => ({ plugin: pluginId, guild: guildId, key });
    const lockKey = (key: string) => `${pluginId}\u0000${guildId}\u0000${key}`;
    const folder = join(this.dataDir, 'plugins', pluginId, guildId || '_global');
    return {
      async get(key) {
        const text = await kv.get(row(key));
        return text === undefined ? undefined : JSON.parse(text);
      },
      async set(key, value) {
        const text = serialise('set', key, value);
        await lock.run(lockKey(key), () => kv.set(row(key), text));
      },
      async delete(key) {
        return lock.run(lockKey(key), () => kv.delete(row(key)));
      },
      async keys(prefix = '') {
        const like = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        return kv.keys(pluginId, guildId, like);
      },
      async dir() {
        await mkdir(folder, { recursive: true });
        return folder;
      },
      // in-process callers queue on the lock; other processes are caught by the compare-and-set
      update<T>(key: string, fn: (current: T | undefined) => T | Promise<T>): Promise<T> {
        return lock.run(lockKey(key), async () => {
          for (let round = 0; round < MAX_UPDATE_ROUNDS; round++) {
            const before = await kv.get(row(key));
            const next = await fn(before === undefined ? undefined : (JSON.parse(before) as T));
            if (await kv.compareAndSet(row(key), before, serialise('update', key, next))) return next;
          }
          throw new Error(
            `storage.update("${key}"): other writers changed the key ${MAX_UPDATE_ROUNDS} times in a row; try again`,
          );
        });
      },
    };
  }
}
