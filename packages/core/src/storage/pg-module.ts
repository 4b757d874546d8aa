import { createRequire, Module } from 'node:module';
import { join } from 'node:path';
import type PgDefault from 'pg';

const requireHere = createRequire(import.meta.url);

/**
 * Loads `pg` as CommonJS. Under `--conditions=import` (the test runner passes it) `pg` requires its
 * `pg-pool` dependency, whose `import` entry is ESM, and Node 20's require(esm) hands back a
 * namespace that `class extends` cannot use. Seeding the require cache with pg-pool's CommonJS
 * entry under the ESM file's name makes pg's own `require('pg-pool')` get the class.
 */
function loadPg(): typeof PgDefault {
  const pgLib = join(requireHere.resolve('pg/package.json'), '..', 'lib', 'index.js');
  const fromPg = createRequire(pgLib);
  const poolEntry = fromPg.resolve('pg-pool');
  if (poolEntry.endsWith('.mjs')) {
    const cjsEntry = join(poolEntry, '..', '..', 'index.js');
    const cache = (Module as unknown as { _cache: Record<string, unknown> })._cache;
    if (!cache[poolEntry]) {
      const mod = new Module(poolEntry) as Module & { loaded: boolean };
      mod.filename = poolEntry;
      mod.exports = fromPg(cjsEntry);
      mod.loaded = true;
      cache[poolEntry] = mod;
    }
  }
  return fromPg(pgLib) as typeof PgDefault;
}

/** The `pg` module (Pool, Client, types). */
export const pg = loadPg();
