import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StorageApi } from '@hearth/sdk';
import type { HearthDatabase } from './database.js';

const MAX_VALUE_BYTES = 1024 * 1024;

/** Per-plugin, per-guild key-value storage in SQLite, plus the plugin's private folder. */
export class PluginStorage {
  constructor(
    private readonly db: HearthDatabase,
    private readonly dataDir: string,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS plugin_kv (
      plugin TEXT NOT NULL, guild TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
      updated_at INTEGER NOT NULL, PRIMARY KEY (plugin, guild, key))`);
  }

  /** The storage a plugin sees for one guild (`''` is the global scope). */
  scoped(pluginId: string, guildId = ''): StorageApi {
    const get = this.db.prepare('SELECT value FROM plugin_kv WHERE plugin = ? AND guild = ? AND key = ?');
    const set = this.db.prepare(
      'INSERT INTO plugin_kv VALUES (?, ?, ?, ?, ?) ON CONFLICT (plugin, guild, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
    const del = this.db.prepare('DELETE FROM plugin_kv WHERE plugin = ? AND guild = ? AND key = ?');
    const keys = this.db.prepare(
      "SELECT key FROM plugin_kv WHERE plugin = ? AND guild = ? AND key LIKE ? ESCAPE '\\' ORDER BY key",
    );
    const folder = join(this.dataDir, 'plugins', pluginId, guildId || '_global');
    return {
      async get(key) {
        const row = get.get(pluginId, guildId, key) as { value: string } | undefined;
        return row ? JSON.parse(row.value) : undefined;
      },
      async set(key, value) {
        const text = JSON.stringify(value);
        if (text === undefined) throw new TypeError(`storage.set("${key}"): value is not JSON-serialisable`);
        if (Buffer.byteLength(text) > MAX_VALUE_BYTES) {
          throw new RangeError(`storage.set("${key}"): value is over 1 MiB; write large data to storage.dir() instead`);
        }
        set.run(pluginId, guildId, key, text, Date.now());
      },
      async delete(key) {
        return del.run(pluginId, guildId, key).changes > 0;
      },
      async keys(prefix = '') {
        const like = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        return (keys.all(pluginId, guildId, like) as { key: string }[]).map((r) => r.key);
      },
      async dir() {
        await mkdir(folder, { recursive: true });
        return folder;
      },
    };
  }
}
