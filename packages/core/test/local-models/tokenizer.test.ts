import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../../src/local-models/tokenizer.js';

const gpt3 = createRequire(import.meta.url)('gpt-3-encoder') as { encode(s: string): number[] };

describe('byte-level BPE tokenizer', () => {
  const sample = "Hello world! It's naïve café 😀 123 4567   spaces\n\nnew  line's end.";

  it('with all 50k merges it tokenizes exactly like GPT-2 (gpt-3-encoder)', () => {
    expect(Tokenizer.fromGpt2(50000).encode(sample)).toEqual(gpt3.encode(sample));
  });

  it('keeps the first K merges, round-trips any text and parses special tokens only when asked', () => {
    const tok = Tokenizer.fromGpt2(1000);
    expect(tok.vocabSize).toBe(256 + 1000 + 3);
    const ids = tok.encode(sample);
    expect(Math.max(...ids)).toBeLessThan(256 + 1000);
    expect(tok.decode(ids)).toBe(sample);
    const chat = '<|im_start|>user\nhi<|im_end|>';
    const special = tok.encode(chat, true);
    expect(special[0]).toBe(tok.special('<|im_start|>'));
    expect(special.at(-1)).toBe(tok.special('<|im_end|>'));
    expect(tok.encode(chat)).not.toContain(tok.special('<|im_start|>'));
    expect(tok.decode(special)).toBe(chat);
  });

  it('survives a JSON round trip', () => {
    const tok = Tokenizer.fromGpt2(200);
    const back = new Tokenizer(JSON.parse(JSON.stringify(tok.toJSON())));
    expect(back.encode(sample)).toEqual(tok.encode(sample));
    expect(() => tok.special('<|nope|>')).toThrow(/unknown special token/);
  });
});
