import type { HearthStorage } from '@hearth/core/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES, type EngineFixture, engineFixture } from '../../core/test/storage/engines.js';
import { WebStore } from '../src/server/store.js';

const HOUR = 3_600_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The console's store on each engine, with two storage connections standing for two `hearth web`
 * processes behind a load balancer: what one writes, the other reads.
 */
describe.each(ENGINES)('web console store on %s', (engine) => {
  let fx: EngineFixture;
  let one: HearthStorage;
  let two: HearthStorage;
  afterEach(async () => {
    await fx?.cleanup();
  });
  const open = async () => {
    fx = engineFixture(engine);
    one = await fx.open();
    two = await fx.open();
    return [new WebStore(one.sql), new WebStore(two.sql)] as const;
  };
  const seqs = async (id: string) =>
    (
      await one.sql.all<{ seq: number }>('SELECT seq FROM web_messages WHERE conversation_id = $1 ORDER BY seq', [id])
    ).map((r) => Number(r.seq));

  it('shares conversations between processes, readable by their owner only', async () => {
    const [a, b] = await open();
    const id = await a.ensure('alice', undefined, '  What   is\nthe meetup time?  ');
    await a.append(id, { role: 'user', text: 'What is the meetup time?' });
    await a.append(id, { role: 'assistant', text: 'Thursdays at 19:00 UTC.', meta: { citations: [{ n: 1 }] } });

    expect(await b.conversations('alice')).toEqual([
      { id, title: 'What is the meetup time?', updatedAt: expect.any(String) },
    ]);
    const messages = await b.messages('alice', id);
    expect(messages?.map((m) => [m.role, m.text, m.meta])).toEqual([
      ['user', 'What is the meetup time?', undefined],
      ['assistant', 'Thursdays at 19:00 UTC.', { citations: [{ n: 1 }] }],
    ]);
    expect(messages?.[0]).not.toHaveProperty('meta');

    // another user neither sees nor continues it
    expect(await b.conversations('bob')).toEqual([]);
    expect(await b.messages('bob', id)).toBeUndefined();
    const bobs = await b.ensure('bob', id, 'hijack?');
    expect(bobs).not.toBe(id);
    expect(await a.ensure('alice', id, 'again')).toBe(id);
    expect(await a.messages('alice', 'no-such-id')).toBeUndefined();
    expect(await a.ensure('alice', undefined, ' \n ')).not.toBe(id);
    expect((await a.conversations('alice')).map((c) => c.title)).toContain('New conversation');
  });

  it('lists the most recently touched first, at most 100', async () => {
    const [a, b] = await open();
    const older = await a.ensure('carol', undefined, 'older');
    await pause(5);
    const newer = await b.ensure('carol', undefined, 'newer');
    expect((await a.conversations('carol')).map((c) => c.id)).toEqual([newer, older]);
    await pause(5);
    await b.append(older, { role: 'user', text: 'back to this one' });
    const listed = await a.conversations('carol');
    expect(listed.map((c) => c.id)).toEqual([older, newer]);
    expect(listed[0]!.updatedAt > listed[1]!.updatedAt).toBe(true);

    for (let i = 0; i < 101; i++) await (i % 2 ? a : b).ensure('dave', undefined, `q${i}`);
    expect(await b.conversations('dave')).toHaveLength(100);
  });

  it('keeps every message of concurrent appends from two processes, numbered 0..n-1 without gaps', async () => {
    const [a, b] = await open();
    const id = await a.ensure('erin', undefined, 'busy conversation');
    const n = 25;
    await Promise.all(
      Array.from({ length: n }, (_, i) => [
        a.append(id, { role: 'user', text: `one ${i}` }),
        b.append(id, { role: 'assistant', text: `two ${i}` }),
      ]).flat(),
    );
    expect(await seqs(id)).toEqual(Array.from({ length: 2 * n }, (_, i) => i));
    const texts = (await b.messages('erin', id))!.map((m) => m.text);
    expect(texts.sort()).toEqual(
      Array.from({ length: n }, (_, i) => [`one ${i}`, `two ${i}`])
        .flat()
        .sort(),
    );

    // two processes each appending in turn (question, then answer) keep their own order
    const inTurn = async (store: WebStore, name: string) => {
      for (let i = 0; i < 10; i++) await store.append(id, { role: 'user', text: `${name} ${i}` });
    };
    await Promise.all([inTurn(a, 'three'), inTurn(b, 'four')]);
    expect(await seqs(id)).toEqual(Array.from({ length: 2 * n + 20 }, (_, i) => i));
    const later = (await a.messages('erin', id))!.map((m) => m.text).slice(2 * n);
    for (const name of ['three', 'four'])
      expect(later.filter((t) => t.startsWith(name))).toEqual(Array.from({ length: 10 }, (_, i) => `${name} ${i}`));
  });

  it('sums usage recorded by both processes per hour, surface and kind, with the median latency', async () => {
    const [a, b] = await open();
    const now = Date.UTC(2026, 11, 3, 15, 30);
    const thisHour = Date.UTC(2026, 11, 3, 15);
    const lastHour = thisHour - HOUR;
    await Promise.all([
      a.record({ surface: 'web', kind: 'question', ms: 40, ok: true }, thisHour + 1),
      b.record({ surface: 'web', kind: 'question', ms: 10, ok: true }, thisHour + 2),
      a.record({ surface: 'web', kind: 'question', ms: 30.5, ok: true }, thisHour + 3),
      b.record({ surface: 'web', kind: 'question', ms: 20, ok: true }, thisHour + 4),
      a.record({ surface: 'web', kind: 'tool', name: 'dice.roll', ms: 7, ok: true }, lastHour + 10),
      b.record({ surface: 'web', kind: 'error', name: 'chat', ms: 900, ok: false }, thisHour + 5),
      b.record({ surface: 'discord', kind: 'question', ms: 55, ok: true }, thisHour + 6),
      // older than the window: left out
      a.record({ surface: 'web', kind: 'question', ms: 1, ok: true }, now - 25 * HOUR),
    ]);
    const expected = [
      { hour: new Date(lastHour).toISOString(), surface: 'web', kind: 'tool', count: 1, p50: 7 },
      { hour: new Date(thisHour).toISOString(), surface: 'discord', kind: 'question', count: 1, p50: 55 },
      { hour: new Date(thisHour).toISOString(), surface: 'web', kind: 'error', count: 1, p50: 900 },
      // 10, 20, 30.5, 40: the lower middle
      { hour: new Date(thisHour).toISOString(), surface: 'web', kind: 'question', count: 4, p50: 20 },
    ];
    expect(await a.usage(24, now)).toEqual(expected);
    expect(await b.usage(24, now)).toEqual(expected);
    expect(await b.usage(1, now)).toEqual(expected.slice(1));
  });
});
