import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAiServer, type Script, startOpenAiServer } from '../../../../test/servers/openai-hf.js';
import { NOT_COVERED_TEXT } from '../../src/engine/extractive.js';
import type { ModelRegistry } from '../../src/providers/types.js';
import { member, testEngine } from './helpers.js';

const docs = [
  {
    id: 'mcp',
    title: 'MCP',
    text: [
      '# MCP',
      '',
      '## Streamable HTTP',
      '',
      'Start it over Streamable HTTP:',
      '',
      '```sh',
      'hearth mcp --http 127.0.0.1:8765',
      '```',
      '',
      '| variable | meaning |',
      '| --- | --- |',
      '| `HEARTH_MCP_TOKEN` | bearer token required by `hearth mcp --http` |',
    ].join('\n'),
  },
  {
    id: 'events',
    title: 'Events',
    text: 'The weekly meetup starts at 19:00 UTC every Thursday. Bring your own snacks.',
  },
];
const key = { surface: 'test' as const, guildId: 'g1', channelId: 'c1' };

let server: OpenAiServer | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await server?.close();
  server = undefined;
});

/** The OpenAI test server behind a model that says it is `local`: the engine treats it as the shipped model. */
const asLocal = (models: ModelRegistry): ModelRegistry => ({
  ...models,
  chat: async (ref) => {
    const real = await models.chat(ref);
    return { ...real, ref: 'local', supportsTools: false, chat: (r) => real.chat(r), stream: (r) => real.stream(r) };
  },
});

async function local(script: Script) {
  server = await startOpenAiServer({ script });
  const t = await testEngine({ chat: `openai:test@${server.url}/v1`, docs, wrapModels: asLocal });
  cleanups.push(t.cleanup);
  return t;
}

async function ask(engine: Awaited<ReturnType<typeof local>>['engine'], text: string) {
  const tokens: string[] = [];
  const result = await engine.turn({ conversation: key, text, caller: member, onToken: (t) => void tokens.push(t) });
  return { result, streamed: tokens.join('') };
}

describe('a local model draft is checked before anything is shown', () => {
  it('never streams an unsupported draft: the best passage replaces it, with the grounding score kept', async () => {
    const { engine } = await local([{ text: 'Distry asknowledge tool forlorn garble [1].' }]);
    const { result, streamed } = await ask(engine, 'How do I start the MCP server over HTTP?');
    expect(streamed).not.toContain('Distry');
    expect(streamed).toBe(result.text);
    expect(result.text).toContain('hearth mcp --http 127.0.0.1:8765');
    expect(result.text).toMatch(/^From "MCP › Streamable HTTP" \[1\]:/);
    expect(result.grounding).toEqual({ support: expect.any(Number), replaced: true });
    expect(result.notCovered).toBe(false);
  });

  it.each(['Q8_00000000000. [2]0. [2]', 'ModolsIs. [1]', 'Tcesisteries a ldiamable teacher. [2]'])(
    'replaces short junk that has too few content words to score: %s',
    async (junk) => {
      const { engine } = await local([{ text: junk }]);
      const { result, streamed } = await ask(
        engine,
        'Which environment variable sets the bearer token of the HTTP MCP server?',
      );
      expect(streamed).toBe(result.text);
      expect(result.text).not.toContain(junk.slice(0, 6));
      expect(result.text).toContain('`HEARTH_MCP_TOKEN`: bearer token required by `hearth mcp --http`');
      expect(result.grounding?.replaced).toBe(true);
    },
  );

  it('shows a supported draft once checked, sentence by sentence', async () => {
    const { engine } = await local([
      { text: 'The weekly meetup starts at 19:00 UTC every Thursday [1]. Bring snacks [1].' },
    ]);
    const tokens: string[] = [];
    const result = await engine.turn({
      conversation: key,
      text: 'When does the weekly meetup start?',
      caller: member,
      onToken: (t) => void tokens.push(t),
    });
    expect(result.text).toBe('The weekly meetup starts at 19:00 UTC every Thursday [1]. Bring snacks [1].');
    expect(result.grounding).toEqual({ support: 1, replaced: false });
    expect(tokens.length).toBe(2);
    expect(tokens.join('')).toBe(result.text);
  });

  it('quotes the sources when the local model fails (e.g. a prompt longer than its context)', async () => {
    const { engine } = await local([{ status: 500, message: 'context overflow' }]);
    const { result, streamed } = await ask(engine, 'When does the weekly meetup start?');
    expect(result.text).toContain('The weekly meetup starts at 19:00 UTC every Thursday.');
    expect(streamed).toBe(result.text);
    expect(result.grounding).toEqual({ support: 0, replaced: true });
  });
});

describe('conversation on the local path', () => {
  it('answers greetings and thanks briefly, without sources and without calling the model', async () => {
    const { engine } = await local([]);
    for (const text of ['hi!', 'thanks, that helped']) {
      const { result, streamed } = await ask(engine, text);
      expect(result.citations).toEqual([]);
      expect(result.notCovered).toBe(false);
      expect(result.text).not.toMatch(/\[\d\]|meetup/);
      expect(streamed).toBe(result.text);
    }
    expect(server!.requests).toHaveLength(0);
  });

  it('declines an off-topic question with the not-covered reply, quoting nothing, and says so in notCovered', async () => {
    const { engine } = await local([{ text: 'Paris is the capital [1].' }]);
    const { result, streamed } = await ask(engine, 'What is the capital of France?');
    expect(result.text).toBe(NOT_COVERED_TEXT);
    expect(result.notCovered).toBe(true);
    expect(result.citations).toEqual([]);
    expect(streamed).toBe(NOT_COVERED_TEXT);
  });

  it('without any chat model: small talk, passages and declines agree with notCovered', async () => {
    const t = await testEngine({ docs, noChatModel: true });
    cleanups.push(t.cleanup);
    const hi = await t.engine.turn({ conversation: key, text: 'hello', caller: member });
    expect(hi).toMatchObject({ notCovered: false, citations: [], model: 'extractive' });
    const off = await t.engine.turn({ conversation: key, text: 'Who painted the Mona Lisa?', caller: member });
    expect(off).toMatchObject({ notCovered: true, text: NOT_COVERED_TEXT, citations: [] });
    const how = await t.engine.turn({
      conversation: key,
      text: 'How do I start the MCP server over HTTP?',
      caller: member,
    });
    expect(how.notCovered).toBe(false);
    expect(how.text).toContain('```sh\nhearth mcp --http 127.0.0.1:8765\n```');
  });
});

describe('a local draft streams sentence by sentence once each is checked', () => {
  it('shows the first sentence while the model still writes, and cuts the answer at the first unsupported one', async () => {
    const { engine } = await local([
      {
        chunks: ['The weekly meetup starts ', 'at 19:00 UTC every Thursday [1]. ', 'Ldiamable gorps ', 'zzyzx [1].'],
        chunkDelayMs: 40,
      },
    ]);
    const arrivals: { text: string; at: number }[] = [];
    const started = Date.now();
    const result = await engine.turn({
      conversation: key,
      text: 'When does the weekly meetup start?',
      caller: member,
      onToken: (t) => void arrivals.push({ text: t, at: Date.now() - started }),
    });
    const total = Date.now() - started;
    expect(arrivals.map((a) => a.text)).toEqual(['The weekly meetup starts at 19:00 UTC every Thursday [1].']);
    expect(arrivals[0]!.at).toBeLessThan(total - 40); // before the last chunk came in
    expect(result.text).toBe('The weekly meetup starts at 19:00 UTC every Thursday [1].');
    expect(result.grounding).toEqual({ support: 1, replaced: false });
  });

  it('keeps what it already showed when the model fails mid-answer, so the surface and the result agree', async () => {
    const { engine } = await local([
      {
        chunks: ['The weekly meetup starts at 19:00 UTC every Thursday [1]. ', 'Bring ', 'your ', 'snacks [1].'],
        truncateAfter: 2,
      },
    ]);
    const { result, streamed } = await ask(engine, 'When does the weekly meetup start?');
    expect(streamed).toBe('The weekly meetup starts at 19:00 UTC every Thursday [1].');
    expect(result.text).toBe(streamed);
    expect(result.grounding?.replaced).toBe(false);
  });
});
