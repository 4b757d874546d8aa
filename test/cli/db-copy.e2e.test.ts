/**
 * `hearth db copy` from the outside: a single machine's data folder copied into a new PostgreSQL
 * database by the real CLI, then refused a second time (no merge, nothing doubled).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../packages/core/src/storage/index.js';
import { privateDatabase } from '../mcp/cluster.js';
import { runHearth, workDir } from './hearth.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('hearth db copy', () => {
  it('copies the data folder into an empty PostgreSQL, prints what it copied, and refuses a second copy', async () => {
    const cwd = workDir();
    cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
    const dataDir = join(cwd, 'data');
    const local = await openStorage({ dataDir, databaseUrl: '' });
    await local.conversations.appendExchange('cli:ann', [
      { role: 'user', content: 'What is Hearth?', tokens: 4 },
      { role: 'assistant', content: 'A community assistant.', tokens: 4 },
    ]);
    await local.close();
    const db = await privateDatabase();
    cleanups.push(() => db.drop());
    const env = { HEARTH_DATA_DIR: dataDir };

    const first = await runHearth(['db', 'copy', '--to', db.url], { cwd, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/engine_messages: 2 rows/);
    expect(first.stdout).toMatch(/copied 2 rows from .*hearth\.sqlite to postgres:\/\//);

    const copied = await openStorage({ dataDir: join(cwd, 'elsewhere'), databaseUrl: db.url });
    const messages = [];
    for await (const m of copied.conversations.newestFirst('cli:ann', 0)) messages.push(m.content);
    await copied.close();
    expect(messages).toEqual(['A community assistant.', 'What is Hearth?']);

    const again = await runHearth(['db', 'copy', '--to', db.url], { cwd, env });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already has rows in engine_messages: .*nothing was copied/);
  }, 120_000);
});
