import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HearthStorage } from '../../src/storage/index.js';
import { ENGINES, type EngineFixture, engineFixture } from './engines.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe.each(ENGINES)('storage on %s', (engine) => {
  let fx: EngineFixture;
  let a: HearthStorage;
  let b: HearthStorage;

  beforeEach(async () => {
    fx = engineFixture(engine);
    a = await fx.open();
    b = await fx.open(); // a second connection to the same database
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  it('reports its engine and answers ping', async () => {
    expect(a.engine).toBe(engine);
    await expect(a.ping()).resolves.toBeUndefined();
  });

  describe('plugin storage', () => {
    it('gets, sets, deletes and lists keys by prefix in byte order, with LIKE wildcards taken literally', async () => {
      const s = a.plugins.scoped('poll', 'g1');
      await s.set('b', { n: 1 });
      await s.set('a_1', [1, 2]);
      await s.set('a%2', 'x');
      await s.set('aZ', true);
      expect(await s.get('b')).toEqual({ n: 1 });
      expect(await s.get('missing')).toBeUndefined();
      expect(await s.keys('a')).toEqual(['a%2', 'aZ', 'a_1']);
      expect(await s.keys('a_')).toEqual(['a_1']);
      expect(await s.delete('b')).toBe(true);
      expect(await s.delete('b')).toBe(false);
      // scopes are separate: another guild and another plugin see nothing
      expect(await a.plugins.scoped('poll', 'g2').keys()).toEqual([]);
      expect(await a.plugins.scoped('other', 'g1').keys()).toEqual([]);
      // the second connection sees the first one's writes
      expect(await b.plugins.scoped('poll', 'g1').get('a_1')).toEqual([1, 2]);
    });

    it('rejects values that are not JSON or over 1 MiB with errors naming the key', async () => {
      const s = a.plugins.scoped('p');
      await expect(s.set('k', undefined)).rejects.toThrow('storage.set("k"): value is not JSON-serialisable');
      await expect(s.set('big', 'x'.repeat(1024 * 1024 + 1))).rejects.toThrow(
        /storage\.set\("big"\): value is over 1 MiB/,
      );
      await expect(s.update('u', () => undefined)).rejects.toThrow(
        'storage.update("u"): value is not JSON-serialisable',
      );
      expect(await s.get('u')).toBeUndefined();
    });

    it('update loses no increment when two connections race on one key', async () => {
      const sa = a.plugins.scoped('counter', 'g');
      const sb = b.plugins.scoped('counter', 'g');
      // the await inside fn lets the other connection read the same value: only compare-and-set saves it
      const bump = (s: typeof sa) => s.update<number>('n', async (n = 0) => (await tick(), n + 1));
      const runs = Array.from({ length: 20 }, (_, i) => bump(i % 2 ? sa : sb));
      const results = await Promise.all(runs);
      expect(await sa.get('n')).toBe(20);
      expect(new Set(results).size).toBe(20); // each update saw a different value
    });

    it('update starts from undefined, and a concurrent first write from another connection is not lost', async () => {
      const sa = a.plugins.scoped('list');
      const sb = b.plugins.scoped('list');
      await Promise.all([
        sa.update<string[]>('xs', async (xs = []) => (await tick(), [...xs, 'a'])),
        sb.update<string[]>('xs', async (xs = []) => (await tick(), [...xs, 'b'])),
      ]);
      expect(((await sa.get<string[]>('xs')) ?? []).sort()).toEqual(['a', 'b']);
    });
  });

  describe('conversations', () => {
    const ex = (i: number) => [
      { role: 'user' as const, content: `q${i}`, tokens: 2 },
      { role: 'assistant' as const, content: `a${i}`, tokens: 3 },
    ];
    const all = async (s: HearthStorage, conv: string, after = 0) => {
      const out = [];
      for await (const m of s.conversations.newestFirst(conv, after)) out.push(m);
      return out;
    };

    it('appends exchanges and reads them newest first across pages, after a summary point', async () => {
      for (let i = 0; i < 40; i++) await a.conversations.appendExchange('c1', ex(i));
      await a.conversations.appendExchange('c2', ex(99));
      const msgs = await all(b, 'c1');
      expect(msgs).toHaveLength(80);
      expect(msgs[0]).toMatchObject({ role: 'assistant', content: 'a39', tokens: 3 });
      expect(msgs.at(-1)).toMatchObject({ role: 'user', content: 'q0', tokens: 2 });
      const ids = msgs.map((m) => m.id);
      expect([...ids].sort((x, y) => y - x)).toEqual(ids);
      const upto = msgs[10]!.id;
      await a.conversations.appendExchange('c1', ex(40), { text: 'User: q0', upto });
      expect(await b.conversations.summary('c1')).toEqual({ text: 'User: q0', upto });
      expect((await all(b, 'c1', upto)).map((m) => m.content)).toEqual([
        'a40',
        'q40',
        ...msgs.slice(0, 10).map((m) => m.content),
      ]);
    });

    it('a summary never moves back: a writer that folded less history does not undo one that folded more', async () => {
      await a.conversations.appendExchange('s', ex(1), { text: 'far', upto: 20 });
      await b.conversations.appendExchange('s', ex(2), { text: 'stale', upto: 12 });
      expect(await a.conversations.summary('s')).toEqual({ text: 'far', upto: 20 });
      expect((await all(a, 's')).map((m) => m.content)).toEqual(['a2', 'q2', 'a1', 'q1']);
      await b.conversations.appendExchange('s', ex(3), { text: 'further', upto: 24 });
      expect(await a.conversations.summary('s')).toEqual({ text: 'further', upto: 24 });
    });

    it('a regenerated exchange replaces the last one for its question, atomically; other conversations untouched', async () => {
      await a.conversations.appendExchange('r', ex(1));
      await a.conversations.appendExchange('r', ex(2));
      await a.conversations.appendExchange('other', ex(2));
      const again = [
        { role: 'user' as const, content: 'q2', tokens: 2 },
        { role: 'assistant' as const, content: 'a2 regenerated', tokens: 3 },
      ];
      await b.conversations.appendExchange('r', again, undefined, { replacing: 'q2' });
      expect((await all(a, 'r')).map((m) => m.content)).toEqual(['a2 regenerated', 'q2', 'a1', 'q1']);
      expect((await all(a, 'other')).map((m) => m.content)).toEqual(['a2', 'q2']);
      // no earlier exchange for that question: nothing is removed
      await b.conversations.appendExchange('r', ex(7), undefined, { replacing: 'never asked' });
      expect((await all(a, 'r')).map((m) => m.content)).toEqual(['a7', 'q7', 'a2 regenerated', 'q2', 'a1', 'q1']);
    });

    it('a reader can stop early without reading the whole history', async () => {
      for (let i = 0; i < 50; i++) await a.conversations.appendExchange('c', ex(i));
      const it = a.conversations.newestFirst('c', 0)[Symbol.asyncIterator]();
      expect((await it.next()).value).toMatchObject({ content: 'a49' });
      await it.return?.();
    });

    it('reset removes messages and summary of one conversation only; personas persist', async () => {
      await a.conversations.appendExchange('x', ex(1), { text: 's', upto: 0 });
      await a.conversations.appendExchange('y', ex(2));
      await a.conversations.reset('x');
      expect(await all(a, 'x')).toEqual([]);
      expect(await a.conversations.summary('x')).toBeUndefined();
      expect(await all(a, 'y')).toHaveLength(2);
      expect(await a.conversations.guildPersona('g')).toBeUndefined();
      await a.conversations.setGuildPersona('g', 'pirate');
      await b.conversations.setGuildPersona('g', 'tutor');
      expect(await a.conversations.guildPersona('g')).toBe('tutor');
    });

    it('writers on two connections appending to one conversation keep every exchange whole and in order', async () => {
      const writer = (s: HearthStorage, tag: string) =>
        (async () => {
          for (let i = 0; i < 15; i++)
            await s.conversations.appendExchange('shared', [
              { role: 'user', content: `${tag}:q${i}`, tokens: 1 },
              { role: 'assistant', content: `${tag}:a${i}`, tokens: 1 },
            ]);
        })();
      // four writers over two connections (each pool runs two at once)
      await Promise.all([writer(a, 'A'), writer(b, 'B'), writer(a, 'C'), writer(b, 'D')]);
      const msgs = (await all(a, 'shared')).reverse();
      expect(msgs).toHaveLength(120);
      for (let i = 0; i < msgs.length; i += 2) {
        const [q, ans] = [msgs[i]!, msgs[i + 1]!];
        expect(q.role).toBe('user');
        expect(ans.content).toBe(q.content.replace(':q', ':a')); // the answer follows its own question
      }
      for (const tag of ['A', 'B', 'C', 'D']) {
        const mine = msgs.filter((m) => m.content.startsWith(`${tag}:q`)).map((m) => m.content);
        expect(mine).toEqual(Array.from({ length: 15 }, (_, i) => `${tag}:q${i}`));
      }
    });
  });

  describe('job records', () => {
    it('records, overwrites and lists newest first', async () => {
      await a.jobs.record({
        id: 'j1',
        queue: 'tools',
        name: 'echo',
        state: 'failed',
        attempts: 1,
        error: 'boom',
        createdAt: 1,
      });
      await a.jobs.record({
        id: 'j2',
        queue: 'tools',
        name: 'echo',
        state: 'completed',
        attempts: 1,
        createdAt: 2,
        finishedAt: 3,
      });
      await b.jobs.record({
        id: 'j1',
        queue: 'tools',
        name: 'echo',
        state: 'dead',
        attempts: 3,
        error: 'boom',
        createdAt: 1,
        finishedAt: 9,
      });
      expect(await a.jobs.get('j1')).toEqual({
        id: 'j1',
        queue: 'tools',
        name: 'echo',
        state: 'dead',
        attempts: 3,
        error: 'boom',
        createdAt: 1,
        finishedAt: 9,
      });
      expect((await a.jobs.list('tools')).map((j) => j.id)).toEqual(['j2', 'j1']);
      expect(await a.jobs.list('other')).toEqual([]);
    });
  });

  describe('portable SQL', () => {
    it('runs one statement text with $n placeholders on both engines, seen by another connection', async () => {
      const put =
        'INSERT INTO discord_message_links (message_id, chain_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (message_id) DO UPDATE SET chain_id = excluded.chain_id';
      expect(await a.sql.run(put, ['m1', 'root', 1])).toBe(1);
      await a.sql.run(put, ['m2', 'root', 2]);
      await b.sql.run(put, ['m1', 'other', 3]);
      expect(
        await b.sql.get<{ chain_id: string }>('SELECT chain_id FROM discord_message_links WHERE message_id = $1', [
          'm1',
        ]),
      ).toEqual({ chain_id: 'other' });
      // a placeholder used twice binds the same value on both engines
      const rows = await a.sql.all<{ message_id: string }>(
        'SELECT message_id FROM discord_message_links WHERE chain_id = $1 OR message_id = $1 ORDER BY message_id',
        ['root'],
      );
      expect(rows.map((r) => r.message_id)).toEqual(['m2']);
      expect(
        await a.sql.get('SELECT 1 AS x FROM discord_message_links WHERE message_id = $1', ['none']),
      ).toBeUndefined();
      expect(await a.sql.run('DELETE FROM discord_message_links WHERE created_at < $1', [10])).toBe(2);
    });
  });
});
