import { describe, expect, it } from 'vitest';
import { fenceAfter, splitMessage } from '../../src/discord/render/split.js';

const fenceLines = (chunk: string) => chunk.split('\n').filter((l) => /^ {0,3}(```|~~~)/.test(l));

describe('splitMessage', () => {
  it('keeps a short message whole', () => {
    expect(splitMessage('hello world')).toEqual(['hello world']);
  });

  it('splits a 6,000-character answer with a code block under 2,000 characters, fences balanced', () => {
    const prose = (n: number) =>
      Array.from({ length: n }, (_, i) => `Sentence number ${i} explains one more thing about the setup.`).join(' ');
    const code = Array.from(
      { length: 60 },
      (_, i) => `const value${i} = compute(${i}); // line ${i} of the example`,
    ).join('\n');
    const text = `${prose(20)}\n\n${prose(15)}\n\n\`\`\`ts\n${code}\n\`\`\`\n\n${prose(25)}`;
    expect(text.length).toBeGreaterThan(5000);
    const chunks = splitMessage(text);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(2000);
      expect(fenceLines(c).length % 2).toBe(0);
      expect(fenceAfter(c)).toBeUndefined();
    }
    // A chunk that continues the code block re-opens it with its language.
    const codeChunks = chunks.filter((c) => c.includes('const value'));
    expect(codeChunks.length).toBeGreaterThan(1);
    for (const c of codeChunks.slice(1)) expect(c.startsWith('```ts\n')).toBe(true);
    // Nothing lost: every code line and every sentence appears exactly once.
    const joined = chunks.join('\n');
    for (let i = 0; i < 60; i++) expect(joined.split(`const value${i} =`).length).toBe(2);
    expect(joined.split('Sentence number 24 ').length - 1).toBe(1);
  });

  it('prefers paragraph breaks, then sentences', () => {
    const para = 'A'.repeat(1200);
    const chunks = splitMessage(`${para}\n\n${'B'.repeat(1200)}`);
    expect(chunks).toEqual([para, 'B'.repeat(1200)]);
    const sentences = Array.from({ length: 60 }, (_, i) => `This is sentence ${i}.`).join(' ');
    const parts = splitMessage(sentences, 300);
    for (const p of parts) expect(p.endsWith('.')).toBe(true);
  });

  it('never cuts inside a markdown link', () => {
    const link = `[the documentation page](https://example.com/${'x'.repeat(80)})`;
    const text = `${'word '.repeat(380)}${link} ${'tail '.repeat(50)}`;
    for (const limit of [1900, 1950, 2000]) {
      const chunks = splitMessage(text, limit);
      expect(chunks.some((c) => c.includes(link))).toBe(true);
      for (const c of chunks) expect(c.length).toBeLessThanOrEqual(limit);
    }
  });

  it('hard-cuts a single enormous word but keeps the size limit', () => {
    const chunks = splitMessage('z'.repeat(4500));
    expect(chunks.every((c) => c.length <= 2000)).toBe(true);
    expect(chunks.join('')).toBe('z'.repeat(4500));
  });
});
