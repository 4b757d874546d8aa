import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINES, engineFixture } from './engines.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const FIXTURE = resolve(import.meta.dirname, 'fixtures/bump.ts');

function bump(engine: string, dataDir: string, schema: string, n: number): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--conditions=hearth-source', '--import', 'tsx', FIXTURE, engine, dataDir, schema, String(n)],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) =>
      code === 0 ? done() : fail(new Error(`bump process exited ${code}: ${err.slice(-1500)}`)),
    );
  });
}

describe.each(ENGINES)('plugin storage update across processes (%s)', (engine) => {
  it('two processes updating one key lose no increment', async () => {
    const fx = engineFixture(engine);
    try {
      const s = await fx.open(); // creates the schema and tables before the children start
      const runs = [bump(engine, fx.dataDir, fx.schema, 15), bump(engine, fx.dataDir, fx.schema, 15)];
      // both children connected and waiting: then they contend from the first update
      const end = Date.now() + 30_000;
      while (readdirSync(fx.dataDir).filter((f) => f.startsWith('ready-')).length < 2 && Date.now() < end)
        await new Promise((r) => setTimeout(r, 20));
      writeFileSync(`${fx.dataDir}/go`, '');
      await Promise.all(runs);
      expect(await s.plugins.scoped('counter', 'g').get('n')).toBe(30);
    } finally {
      await fx.cleanup();
    }
  });
});
