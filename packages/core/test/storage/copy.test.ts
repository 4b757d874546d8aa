/**
 * `hearth db copy`: a single machine's SQLite data moved into a deployment's PostgreSQL, whole or
 * not at all, never merged into a database that already has rows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { copySqliteToPostgres, type HearthStorage } from '../../src/storage/index.js';
import { type EngineFixture, engineFixture, TEST_PG_URL } from './engines.js';

const fixtures: EngineFixture[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.cleanup();
});

async function messages(s: HearthStorage, conversation: string) {
  const out = [];
  for await (const m of s.conversations.newestFirst(conversation, 0)) out.push({ role: m.role, content: m.content });
  return out;
}

describe('copySqliteToPostgres', () => {
  it('copies every area, keeps conversation order for new turns, and refuses a second copy', async () => {
    const lite = engineFixture('sqlite');
    const pg = engineFixture('postgres');
    fixtures.push(lite, pg);
    const src = await lite.open();
    for (let i = 0; i < 3; i++) {
      await src.conversations.appendExchange('discord:g1:c1', [
        { role: 'user', content: `q${i}`, tokens: 1 },
        { role: 'assistant', content: `a${i}`, tokens: 1 },
      ]);
    }
    await src.plugins.scoped('poll', 'g1').set('votes', { yes: 2 });
    await src.jobs.record({ id: 'j1', queue: 'tools', name: 'echo', state: 'completed', attempts: 1, createdAt: 5 });
    await src.sql.run('INSERT INTO discord_message_links (message_id, chain_id, created_at) VALUES ($1, $2, $3)', [
      'm2',
      'm1',
      Date.now(),
    ]);
    await src.sql.run('INSERT INTO web_conversations (id, owner, title, updated_at) VALUES ($1, $2, $3, $4)', [
      'w1',
      'ann',
      'Hello',
      '2026-12-03T00:00:00.000Z',
    ]);
    await src.close();

    const tables: string[] = [];
    const counts = await copySqliteToPostgres(lite.dataDir, TEST_PG_URL, {
      schema: pg.schema,
      onTable: (t) => tables.push(t),
    });
    expect(counts).toMatchObject({
      engine_messages: 6,
      plugin_kv: 1,
      job_records: 1,
      discord_message_links: 1,
      web_conversations: 1,
    });
    expect(tables).toContain('usage_events');

    const dst = await pg.open();
    await dst.conversations.appendExchange('discord:g1:c1', [{ role: 'user', content: 'after', tokens: 1 }]);
    expect((await messages(dst, 'discord:g1:c1')).map((m) => m.content)).toEqual([
      'after',
      'a2',
      'q2',
      'a1',
      'q1',
      'a0',
      'q0',
    ]);
    expect(await dst.plugins.scoped('poll', 'g1').get('votes')).toEqual({ yes: 2 });
    expect(await dst.jobs.get('j1')).toMatchObject({ state: 'completed' });
    expect(await dst.sql.get('SELECT chain_id FROM discord_message_links WHERE message_id = $1', ['m2'])).toEqual({
      chain_id: 'm1',
    });

    await expect(copySqliteToPostgres(lite.dataDir, TEST_PG_URL, { schema: pg.schema })).rejects.toThrow(
      /already has rows in engine_messages: hearth db copy only fills an empty database \(nothing was copied\)/,
    );
    expect(await messages(dst, 'discord:g1:c1')).toHaveLength(7); // nothing doubled
  });

  it('names the missing file instead of copying an empty database', async () => {
    const pg = engineFixture('postgres');
    fixtures.push(pg);
    await expect(copySqliteToPostgres(`${pg.dataDir}/nowhere`, TEST_PG_URL, { schema: pg.schema })).rejects.toThrow(
      /No SQLite database to copy at .*nowhere\/hearth\.sqlite/,
    );
  });
});
