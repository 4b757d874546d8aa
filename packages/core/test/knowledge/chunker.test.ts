import { describe, expect, it } from 'vitest';
import { chunkText, estimateTokens } from '../../src/knowledge/chunker.js';

describe('chunkText', () => {
  it('follows headings and keeps the heading path and exact offsets', () => {
    const text =
      '# Guide\n\nIntro paragraph.\n\n## Install\n\nRun the installer.\n\n### Linux\n\nUse apt.\n\n## Usage\n\nCall it.\n';
    const chunks = chunkText(text, { maxTokens: 12, overlapTokens: 0 });
    expect(chunks.map((c) => c.headingPath)).toEqual([
      ['Guide'],
      ['Guide', 'Install'],
      ['Guide', 'Install', 'Linux'],
      ['Guide', 'Usage'],
    ]);
    for (const c of chunks) expect(text.slice(c.start, c.end)).toBe(c.text);
    expect(new Set(chunks.map((c) => c.hash)).size).toBe(chunks.length);
  });

  it('ignores # lines inside code fences', () => {
    const text = '# Top\n\n```sh\n# not a heading\necho hi\n```\n';
    expect(chunkText(text).map((c) => c.headingPath)).toEqual([['Top']]);
  });

  it('packs paragraphs within the token budget and overlaps neighbouring chunks', () => {
    const sentences = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} says something about topic ${i}.`);
    const text = sentences.join(' ');
    const chunks = chunkText(text, { maxTokens: 60, overlapTokens: 20, markdown: false });
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) {
      expect(estimateTokens(c.text)).toBeLessThanOrEqual(60);
      expect(text.slice(c.start, c.end)).toBe(c.text);
    }
    for (let i = 1; i < chunks.length; i++) {
      expect(chunks[i].start).toBeLessThan(chunks[i - 1].end);
      expect(chunks[i].start).toBeGreaterThan(chunks[i - 1].start);
    }
    expect(chunks.at(-1)?.end).toBe(text.length);
  });

  it('splits a single run-on sentence longer than the budget at spaces', () => {
    const text = Array.from({ length: 500 }, (_, i) => `word${i}`).join(' ');
    const chunks = chunkText(text, { maxTokens: 50, overlapTokens: 0, markdown: false });
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.map((c) => c.text).join(' ')).toBe(text);
  });

  it('returns nothing for blank text', () => {
    expect(chunkText('  \n\n  ')).toEqual([]);
  });
});
