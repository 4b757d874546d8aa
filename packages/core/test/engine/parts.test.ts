import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CitationStreamFilter, checkCitations } from '../../src/engine/citations.js';
import { conversationId } from '../../src/engine/conversation-store.js';
import { selectHistory } from '../../src/engine/history.js';
import { splitSentences, splitUnits } from '../../src/engine/passages.js';
import { parsePersona } from '../../src/engine/personas.js';
import type { NumberedSource } from '../../src/engine/sources.js';
import { relevantSources } from '../../src/engine/sources.js';
import { approxTokens } from '../../src/providers/tokens.js';
import { openStorage } from '../../src/storage/index.js';

const source = (n: number, id = `s${n}`): NumberedSource => ({
  n,
  hit: { id, sourceId: id, title: `T${n}`, text: `text ${n}`, score: 1, source: `u${n}` },
});

describe('citation post-check', () => {
  it('drops citations that do not exist and lists the cited sources', () => {
    const out = checkCitations('A [1]. B [4]. C [2, 9]. D [3][1].', [source(1), source(2), source(3)]);
    expect(out.text).toBe('A [1]. B. C [2]. D [3][1].');
    expect(out.citations.map((c) => c.n)).toEqual([1, 2, 3]);
  });

  it('streams the same text the post-check produces, whatever the chunking', () => {
    const text = 'See [1] and [7] or [2,3] but not [a link](x) [12';
    const expected = checkCitations(text, [source(1), source(2)]).text;
    for (const size of [1, 2, 3, 5, 100]) {
      const filter = new CitationStreamFilter([source(1), source(2)]);
      let out = '';
      for (let i = 0; i < text.length; i += size) out += filter.push(text.slice(i, i + size));
      out += filter.flush();
      expect(out).toBe(expected);
    }
  });
});

describe('conversation keys', () => {
  it('equal fields give equal ids; different fields never collide', () => {
    expect(conversationId({ surface: 'discord', guildId: 'g', channelId: 'c' })).toBe(
      conversationId({ channelId: 'c', guildId: 'g', surface: 'discord', threadId: undefined }),
    );
    expect(conversationId({ surface: 'discord', guildId: 'a|channelId=b' })).not.toBe(
      conversationId({ surface: 'discord', guildId: 'a', channelId: 'b' }),
    );
    expect(conversationId({ surface: 'discord', chainId: 'm1' })).not.toBe(
      conversationId({ surface: 'discord', threadId: 'm1' }),
    );
  });
});

describe('history within a token budget', () => {
  it('keeps recent messages whole, summarises older ones, and persists the summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-history-'));
    const storage = await openStorage({ dataDir: dir, databaseUrl: '' });
    try {
      const store = storage.conversations;
      const conv = 'test|x';
      const long = (i: number) => `Question ${i} is about topic ${i}. ${'More detail here. '.repeat(10)}`;
      for (let i = 0; i < 30; i++) {
        const h = await selectHistory(store, conv, 300, approxTokens);
        await store.appendExchange(
          conv,
          [
            { role: 'user', content: long(i), tokens: approxTokens(long(i)) },
            { role: 'assistant', content: `Answer ${i}.`, tokens: approxTokens(`Answer ${i}.`) },
          ],
          h.updatedSummary,
        );
      }
      const h = await selectHistory(store, conv, 300, approxTokens);
      const verbatim = h.messages.reduce((n, m) => n + m.tokens, 0);
      expect(verbatim).toBeLessThanOrEqual(225);
      expect(h.messages[0]?.role).toBe('user');
      expect(h.messages.at(-1)?.content).toBe('Answer 29.');
      for (const m of h.messages)
        expect(m.content === long(Number(/\d+/.exec(m.content)?.[0])) || /^Answer \d+\.$/.test(m.content)).toBe(true);
      expect(h.summary).toMatch(/User: Question 2\d is about topic 2\d\./);
      expect(approxTokens(h.summary)).toBeLessThanOrEqual(75);
      expect((await store.summary(conv))?.upto).toBeGreaterThan(0);
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('persona files', () => {
  it('parses front matter, system prompt, examples and output format', () => {
    const p = parsePersona(
      '---\nname: pirate\ndescription: Arr\ntemperature: 0.9\n---\nYou talk like a pirate.\n\n## Examples\n### User\nhi\n### Assistant\nahoy\n### User\nbye\n### Assistant\nfarewell\n\n## Output format\nShort.\n',
      'pirate.md',
    );
    expect(p).toMatchObject({
      name: 'pirate',
      description: 'Arr',
      temperature: 0.9,
      system: 'You talk like a pirate.',
      outputFormat: 'Short.',
    });
    expect(p.examples).toEqual([
      { user: 'hi', assistant: 'ahoy' },
      { user: 'bye', assistant: 'farewell' },
    ]);
  });

  it('rejects a persona without a system prompt or with a bad number', () => {
    expect(() => parsePersona('---\nname: x\n---\n\n## Output format\nShort', 'x.md')).toThrow(/no system prompt/);
    expect(() => parsePersona('---\ntemperature: hot\n---\nHi', 'y.md')).toThrow(/temperature "hot" is not a number/);
  });
});

describe('relevance of retrieved hits', () => {
  it('keeps hits sharing a content word with the question, ignoring stop words', () => {
    const hits = [
      { id: '1', sourceId: 'a', title: 'Meetups', text: 'The meetups start at seven.', score: 1, source: 'a' },
      { id: '2', sourceId: 'b', title: 'Cooking', text: 'What is the best pasta?', score: 1, source: 'b' },
    ];
    expect(relevantSources('When does the meetup start?', hits).map((s) => s.hit.sourceId)).toEqual(['a']);
    expect(relevantSources('What is the?', hits)).toEqual([]);
  });
});

describe('quoting Markdown sources', () => {
  it('splits sentences at end punctuation only, not inside paths or versions', () => {
    expect(splitSentences('See docs/plugins.md for more. Version v1.2 works! Done')).toEqual([
      'See docs/plugins.md for more.',
      'Version v1.2 works!',
      'Done',
    ]);
  });

  it('joins a paragraph wrapped over lines, and keeps each list item whole', () => {
    const md = 'Hearth answers\nfrom its sources and\ncites them\n\n- first item\n  wrapped\n- second';
    expect(splitUnits(md).map((u) => u.text)).toEqual([
      'Hearth answers from its sources and cites them',
      'first item wrapped',
      'second',
    ]);
  });

  it('keeps code blocks and table rows as units; headings become the path; link targets go', () => {
    const md = '# Title\n\nSee [the guide](docs/plugins.md) to *start*.\n\n```sh\npnpm x\n```\n| a | b |\n- one item\n';
    expect(splitUnits(md).map((u) => [u.kind, u.text, u.headingPath])).toEqual([
      ['sentence', 'See the guide to *start*.', ['Title']],
      ['code', '```sh\npnpm x\n```', ['Title']],
      ['row', 'a: b', ['Title']],
      ['item', 'one item', ['Title']],
    ]);
  });
});
