import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { conversationId } from '../../src/engine/conversation-store.js';
import { BUILTIN_PERSONAS_DIR, loadPersonas } from '../../src/engine/personas.js';
import { Redactor } from '../../src/log/redact.js';
import { openStorage } from '../../src/storage/index.js';
import { caller, echo, echoEngine } from './echo-engine.js';
import { ENGINES, type EngineFixture, engineFixture, TEST_PG_URL } from './engines.js';
import { pgRelay } from './relay.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const TURNS = resolve(import.meta.dirname, 'fixtures/turns.ts');
const personas = loadPersonas([BUILTIN_PERSONAS_DIR]);

const fixtures: EngineFixture[] = [];
afterEach(async () => {
  for (const fx of fixtures.splice(0)) await fx.cleanup();
});

function fixture(name: 'sqlite' | 'postgres'): EngineFixture {
  const fx = engineFixture(name);
  fixtures.push(fx);
  return fx;
}

/** The conversation's messages in the prompt the next turn would send (persona examples left out). */
async function history(engine: Awaited<ReturnType<typeof echoEngine>>, channelId: string) {
  const messages = async (id: string) =>
    (await engine.previewPrompt({ conversation: { surface: 'test', channelId: id }, text: 'next?', caller: caller() }))
      .filter((m) => m.role !== 'system')
      .map((m) => `${m.role}: ${m.content}`);
  // a conversation never used shows the persona's examples and the question only
  const examples = (await messages('never-used')).length - 1;
  return (await messages(channelId)).slice(examples);
}

describe.each(ENGINES)('the engine on %s', (name) => {
  it('holds a multi-turn conversation that another connection (process) continues', async () => {
    const fx = fixture(name);
    const a = await echoEngine(await fx.open(), { dataDir: fx.dataDir });
    const b = await echoEngine(await fx.open(), { dataDir: fx.dataDir });
    const conv = (channelId: string) => ({ conversation: { surface: 'test' as const, channelId }, caller: caller() });
    expect((await a.turn({ ...conv('c1'), text: 'I am Ada.' })).text).toBe(echo('I am Ada.'));
    await b.turn({ ...conv('c1'), text: 'What is my name?' });
    await a.turn({ ...conv('c2'), text: 'Elsewhere.' });
    expect(await history(a, 'c1')).toEqual([
      'user: I am Ada.',
      `assistant: ${echo('I am Ada.')}`,
      'user: What is my name?',
      `assistant: ${echo('What is my name?')}`,
      'user: next?',
    ]);
    expect(await history(b, 'c2')).toEqual(['user: Elsewhere.', `assistant: ${echo('Elsewhere.')}`, 'user: next?']);
  });

  it('a regenerated answer replaces the last exchange: its question is neither in the prompt twice nor stored twice', async () => {
    const fx = fixture(name);
    const engine = await echoEngine(await fx.open(), { dataDir: fx.dataDir });
    const conv = { conversation: { surface: 'test' as const, channelId: 'r' }, caller: caller() };
    await engine.turn({ ...conv, text: 'First.' });
    await engine.turn({ ...conv, text: 'Second?' });
    const prompt = await engine.previewPrompt({ ...conv, text: 'Second?', regenerate: true });
    expect(prompt.filter((m) => m.role === 'user' && m.content.includes('Second?'))).toHaveLength(1);
    await engine.turn({ ...conv, text: 'Second?', regenerate: true });
    expect(await history(engine, 'r')).toEqual([
      'user: First.',
      `assistant: ${echo('First.')}`,
      'user: Second?',
      `assistant: ${echo('Second?')}`,
      'user: next?',
    ]);
  });

  it('keeps a persona per guild, set through one connection and used through another', async () => {
    const fx = fixture(name);
    const a = await echoEngine(await fx.open(), { dataDir: fx.dataDir });
    const b = await echoEngine(await fx.open(), { dataDir: fx.dataDir });
    await a.setGuildPersona('g1', 'tutor');
    const system = async (guildId: string) =>
      (await b.previewPrompt({ conversation: { surface: 'test', guildId }, text: 'hi', caller: caller(guildId) })).find(
        (m) => m.role === 'system',
      )?.content;
    expect(await system('g1')).toContain(personas.get('tutor')?.system);
    expect(await system('g2')).toContain(personas.get('default')?.system);
    expect(await system('g2')).not.toContain(personas.get('tutor')?.system);
    await b.setGuildPersona('g1', 'concise');
    expect(await system('g1')).toContain(personas.get('concise')?.system);
    await expect(a.setGuildPersona('g1', 'nope')).rejects.toThrow('Unknown persona "nope"');
  });

  it('concurrent turns on one connection all complete and keep every exchange whole', async () => {
    const fx = fixture(name);
    const storage = await fx.open();
    const engine = await echoEngine(storage, { dataDir: fx.dataDir });
    // 40+ stored messages: history reads span pages while other turns write between the awaits
    for (let i = 0; i < 20; i++)
      await engine.turn({ conversation: { surface: 'test', channelId: 'busy' }, text: `warm ${i}`, caller: caller() });
    const texts = Array.from({ length: 12 }, (_, i) => `together ${i}`);
    const results = await Promise.all(
      texts.map((text) =>
        engine.turn({ conversation: { surface: 'test', channelId: 'busy' }, text, caller: caller() }),
      ),
    );
    expect(results.map((r) => r.text)).toEqual(texts.map(echo));
    const stored = [];
    for await (const m of storage.conversations.newestFirst(conversationId({ surface: 'test', channelId: 'busy' }), 0))
      stored.push(m);
    expect(stored).toHaveLength(64);
    for (let i = 0; i < stored.length; i += 2) expect(stored[i]!.content).toBe(echo(stored[i + 1]!.content));
  });

  it('reset forgets one conversation for every connection and leaves the others', async () => {
    const fx = fixture(name);
    const a = await echoEngine(await fx.open(), { dataDir: fx.dataDir });
    const b = await echoEngine(await fx.open(), { dataDir: fx.dataDir });
    for (const channelId of ['x', 'y'])
      await a.turn({ conversation: { surface: 'test', channelId }, text: `hello ${channelId}`, caller: caller() });
    await b.reset({ surface: 'test', channelId: 'x' });
    expect(await history(a, 'x')).toEqual(['user: next?']);
    expect(await history(a, 'y')).toEqual(['user: hello y', `assistant: ${echo('hello y')}`, 'user: next?']);
  });
});

function takeTurns(dataDir: string, schema: string, who: string, n: number): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--conditions=hearth-source', '--import', 'tsx', TURNS, dataDir, schema, who, String(n)],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`${who} exited ${code}: ${err.slice(-1500)}`))));
  });
}

describe('the engine on PostgreSQL, several processes', () => {
  it('two processes taking turns in one conversation lose no exchange and never interleave one', async () => {
    const fx = fixture('postgres');
    const storage = await fx.open(); // creates the schema and tables before the children start
    const n = 12;
    const runs = [takeTurns(fx.dataDir, fx.schema, 'p1', n), takeTurns(fx.dataDir, fx.schema, 'p2', n)];
    const end = Date.now() + 60_000;
    while (readdirSync(fx.dataDir).filter((f) => f.startsWith('ready-')).length < 2 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    writeFileSync(`${fx.dataDir}/go`, '');
    await Promise.all(runs);
    const stored = [];
    for await (const m of storage.conversations.newestFirst(
      conversationId({ surface: 'test', channelId: 'shared' }),
      0,
    ))
      stored.push(m);
    stored.reverse();
    expect(stored).toHaveLength(4 * n);
    const questions: string[] = [];
    for (let i = 0; i < stored.length; i += 2) {
      const [q, a] = [stored[i]!, stored[i + 1]!];
      expect([q.role, a.role]).toEqual(['user', 'assistant']);
      expect(a.content).toBe(echo(q.content));
      expect(a.id).toBe(q.id + 1);
      questions.push(q.content);
    }
    const expected = ['p1', 'p2'].flatMap((p) => Array.from({ length: n }, (_, i) => `${p} q${i}`));
    expect(questions.sort()).toEqual(expected.sort());
    // each process's own questions stay in its order
    for (const p of ['p1', 'p2'])
      expect(questions.filter((q) => q.startsWith(p))).toEqual(expected.filter((q) => q.startsWith(p)));
  }, 90_000);
});

describe('the engine when PostgreSQL fails during a turn', () => {
  it('tells the user the database is unavailable, quickly, with the URL password redacted', async () => {
    const fx = fixture('postgres');
    const r = await pgRelay();
    const password = 'canary-pg-pw-7731';
    const target = new URL(TEST_PG_URL);
    const url = `postgres://${target.username || 'root'}:${password}@127.0.0.1:${r.port}${target.pathname}`;
    const redactor = new Redactor();
    redactor.addEnvironment({ cwd: fx.dataDir, env: { HEARTH_DATABASE_URL: url } });
    const storage = await openStorage({
      dataDir: fx.dataDir,
      databaseUrl: url,
      schema: fx.schema,
      connectTimeoutMs: 800,
    });
    try {
      const engine = await echoEngine(storage, { dataDir: fx.dataDir, redactor });
      const turn = () =>
        engine.turn({ conversation: { surface: 'test', channelId: 'c' }, text: 'still there?', caller: caller() });
      expect((await turn()).text).toBe(echo('still there?'));

      r.blackhole(); // the server stops answering: the connection timeout ends the wait
      await new Promise((done) => setTimeout(done, 200)); // the pool drops its cut connection
      let started = Date.now();
      const hung = await turn().catch((e: Error) => e);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(hung).toBeInstanceOf(Error);
      expect((hung as Error & { code?: string }).code).toBe('database_unavailable');
      expect((hung as Error).message).toMatch(/^The database is unavailable: .*timeout.*\. Try again shortly\.$/);

      await r.close(); // the server is gone: refused at once
      started = Date.now();
      const gone = await engine.reset({ surface: 'test', channelId: 'c' }).catch((e: Error) => e);
      expect(Date.now() - started).toBeLessThan(5000);
      expect((gone as Error).message).toMatch(/^The database is unavailable: .*ECONNREFUSED/);
      for (const e of [hung, gone]) {
        expect((e as Error).message).not.toContain(password);
        expect((e as Error).message).not.toMatch(/\n\s+at /);
      }
    } finally {
      await storage.close();
      await r.close().catch(() => {});
    }
  }, 30_000);
});
