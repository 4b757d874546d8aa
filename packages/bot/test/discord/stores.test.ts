import { DatabaseUnavailableError, type HearthStorage } from '@hearth/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, type EngineFixture, engineFixture } from '../../../core/test/storage/engines.js';
import { type AnswerRecord, AnswerStore } from '../../src/discord/answers/store.js';
import { ChainIndex } from '../../src/discord/conversation/chains.js';
import { KEEP_MS, type SqlRunner } from '../../src/discord/storage/unavailable.js';

const record = (messageId: string, over: Partial<AnswerRecord> = {}): AnswerRecord => ({
  messageId,
  conversation: { surface: 'discord', guildId: 'g1', channelId: 'c1', chainId: 'q1' },
  userId: 'asker',
  question: 'Which port does Hearth use?',
  answer: 'Port 8080 [1].',
  citations: [{ n: 1, title: 'Setup guide', uri: 'https://example.com/setup', excerpt: 'listens on port 8080' }],
  model: 'openai:test-model',
  ...over,
});

/** The runner with every statement counted, to see which calls reach the database. */
function counted(sql: SqlRunner): SqlRunner & { calls: number } {
  const out = {
    engine: sql.engine,
    calls: 0,
    all: <T>(s: string, p?: readonly (string | number | bigint | null)[]) => (out.calls++, sql.all<T>(s, p)),
    get: <T>(s: string, p?: readonly (string | number | bigint | null)[]) => (out.calls++, sql.get<T>(s, p)),
    run: (s: string, p?: readonly (string | number | bigint | null)[]) => (out.calls++, sql.run(s, p)),
  };
  return out;
}

describe.each(ENGINES)('Discord stores on %s, two processes sharing one database', (name) => {
  let fx: EngineFixture;
  let one: HearthStorage;
  let two: HearthStorage;

  beforeEach(async () => {
    fx = engineFixture(name);
    one = await fx.open();
    two = await fx.open(); // a second connection: another shard process or machine
  });
  afterEach(() => fx.cleanup());

  it('resolves reply-chain links written by the other process (rootOf and size)', async () => {
    const a = new ChainIndex(one.sql);
    const b = new ChainIndex(two.sql);
    await Promise.all([a.pruned, b.pruned]);
    await a.link('q1', 'q1', 'ans1', 'ans1'); // a repeated id is one link
    await a.link('q1', 'q2', 'ans2');
    expect(await b.rootOf('ans1')).toBe('q1');
    expect(await b.rootOf('q2')).toBe('q1');
    expect(await b.rootOf('unrelated')).toBeUndefined();
    expect(await b.size('q1')).toBe(4);
    expect(await a.size('q1')).toBe(4);
    expect(await b.size('nothing')).toBe(0);
    // a link moved by one process is seen by a fresh reader
    await b.link('q9', 'q2');
    expect(await new ChainIndex(one.sql).rootOf('q2')).toBe('q9');
  });

  it('answers a cache hit without the database and reads the database on a miss', async () => {
    const writer = new ChainIndex(one.sql);
    await writer.link('root', 'm1', 'm2');
    const sql = counted(two.sql);
    const reader = new ChainIndex(sql);
    await reader.pruned;
    const before = sql.calls;
    expect(await reader.rootOf('m1')).toBe('root'); // miss: one query
    expect(sql.calls).toBe(before + 1);
    expect(await reader.rootOf('m1')).toBe('root'); // hit: none
    expect(sql.calls).toBe(before + 1);
    await reader.link('root', 'm3'); // this process's own links are cached as written
    const afterLink = sql.calls;
    expect(await reader.rootOf('m3')).toBe('root');
    expect(sql.calls).toBe(afterLink);
  });

  it('tallies feedback votes from both processes, a second vote replacing the first', async () => {
    const a = new AnswerStore(one.sql);
    const b = new AnswerStore(two.sql);
    const answer = record('ans1');
    await a.vote(answer, 'u1', 'up');
    await b.vote(answer, 'u2', 'up');
    await b.vote(answer, 'u3', 'down');
    expect(await a.tally('ans1')).toEqual({ up: 2, down: 1 });
    await a.vote(answer, 'u2', 'down'); // u2 changes their mind on the other process
    expect(await b.tally('ans1')).toEqual({ up: 1, down: 2 });
    expect(await b.verdict('ans1', 'u2')).toBe('down');
    expect(await a.verdict('ans1', 'nobody')).toBeUndefined();
    expect(await a.tally('other')).toEqual({ up: 0, down: 0 });
    const rows = await one.sql.all<{ user_id: string; verdict: string; question: string; model: string }>(
      'SELECT user_id, verdict, question, model FROM discord_feedback WHERE message_id = $1 ORDER BY user_id',
      ['ans1'],
    );
    expect(rows).toEqual([
      { user_id: 'u1', verdict: 'up', question: answer.question, model: answer.model },
      { user_id: 'u2', verdict: 'down', question: answer.question, model: answer.model },
      { user_id: 'u3', verdict: 'down', question: answer.question, model: answer.model },
    ]);
  });

  it('reads an answer record the other process stored, and its replacement', async () => {
    const a = new AnswerStore(one.sql);
    const b = new AnswerStore(two.sql);
    await a.put(record('ans1'));
    expect(await b.get('ans1')).toEqual(record('ans1'));
    await b.put(record('ans1', { answer: 'Port 9090 now.', citations: [] }));
    expect(await a.get('ans1')).toMatchObject({ answer: 'Port 9090 now.', citations: [] });
    expect(await a.get('missing')).toBeUndefined();
  });

  it('prunes links and answer records older than 180 days when a process starts, keeping newer ones', async () => {
    const old = Date.now() - KEEP_MS - 60_000;
    const recent = Date.now() - KEEP_MS + 3_600_000;
    for (const [id, at] of [
      ['old', old],
      ['recent', recent],
    ] as const) {
      await one.sql.run('INSERT INTO discord_message_links (message_id, chain_id, created_at) VALUES ($1, $2, $3)', [
        id,
        'root',
        at,
      ]);
      await one.sql.run('INSERT INTO discord_answers (message_id, record, created_at) VALUES ($1, $2, $3)', [
        id,
        JSON.stringify(record(id)),
        at,
      ]);
    }
    const chains = new ChainIndex(two.sql);
    const answers = new AnswerStore(two.sql);
    await Promise.all([chains.pruned, answers.pruned]);
    expect(await chains.rootOf('old')).toBeUndefined();
    expect(await chains.rootOf('recent')).toBe('root');
    expect(await answers.get('old')).toBeUndefined();
    expect(await answers.get('recent')).toEqual(record('recent'));
    expect(await chains.prune()).toBe(0); // nothing left to prune
  });

  it('turns a database that is gone into the "database is unavailable" error, and logs a failed prune', async () => {
    await two.close(); // the other connection's database is down (pool ended / file closed)
    const warnings: string[] = [];
    const chains = new ChainIndex(two.sql, (_fields, message) => warnings.push(message));
    const answers = new AnswerStore(two.sql, (_fields, message) => warnings.push(message));
    await Promise.all([chains.pruned, answers.pruned]); // settle, never reject
    expect(warnings).toEqual(['discord: could not prune old chain links', 'discord: could not prune old answers']);
    const failure = await answers.get('ans1').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(DatabaseUnavailableError);
    expect((failure as Error).message).toMatch(/^The database is unavailable: .+\. Try again shortly\.$/);
    await expect(answers.vote(record('ans1'), 'u1', 'up')).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(chains.rootOf('m1')).rejects.toBeInstanceOf(DatabaseUnavailableError);
    // links written while down are still known to this process
    await expect(chains.link('root', 'm2')).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(await chains.rootOf('m2')).toBe('root');
  });
});

describe('Discord stores without a database (memory only)', () => {
  it('keeps links, records and votes in this process', async () => {
    const chains = new ChainIndex(undefined, undefined, 2);
    await chains.link('root', 'a', 'b', 'c'); // capacity 2: the oldest link is dropped
    expect(await chains.rootOf('a')).toBeUndefined();
    expect(await chains.rootOf('c')).toBe('root');
    expect(await chains.size('root')).toBe(2);
    const answers = new AnswerStore();
    await answers.put(record('ans1'));
    expect(await answers.get('ans1')).toEqual(record('ans1'));
    await answers.vote(record('ans1'), 'u1', 'up');
    await answers.vote(record('ans1'), 'u1', 'down');
    await answers.vote(record('ans1'), 'u2', 'down');
    expect(await answers.tally('ans1')).toEqual({ up: 0, down: 2 });
    expect(await answers.verdict('ans1', 'u1')).toBe('down');
  });
});

describe('the database failure kinds users see', () => {
  const failing = (err: unknown): SqlRunner => ({
    engine: 'postgres',
    all: () => Promise.reject(err),
    get: () => Promise.reject(err),
    run: () => Promise.reject(err),
  });

  it('names the failure by its code, never by the driver message (it may hold the address)', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432 postgres://u:secret@db'), {
      code: 'ECONNREFUSED',
    });
    await expect(new AnswerStore(failing(refused)).get('x')).rejects.toThrow(
      'The database is unavailable: connection refused (ECONNREFUSED). Try again shortly.',
    );
    await expect(new ChainIndex(failing(new Error('Query read timeout'))).size('x')).rejects.toThrow(
      'The database is unavailable: no answer in time (timeout). Try again shortly.',
    );
    const locked = Object.assign(new Error('database is locked at /data/hearth.sqlite'), { code: 'SQLITE_BUSY' });
    const err = await new AnswerStore(failing(locked))
      .tally('x')
      .then(() => undefined)
      .catch((e: Error & { cause?: unknown }) => e);
    expect(err?.message).toBe('The database is unavailable: error SQLITE_BUSY. Try again shortly.');
    expect(err?.cause).toBe(locked);
  });
});
