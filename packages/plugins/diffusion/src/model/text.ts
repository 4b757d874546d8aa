/**
 * The fixed vocabulary both local models understand, and the tokenizer that turns a prompt into
 * token ids. Filler words are skipped; every other word outside the vocabulary is reported back.
 */

/** Token id 0 is padding; a row of padding is the unconditional prompt used for guidance. */
export const VOCABULARY = [
  '<pad>',
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'small',
  'big',
  'red',
  'green',
  'blue',
  'yellow',
  'circle',
  'square',
  'triangle',
  'above',
  'below',
  'left',
  'right',
  'top',
  'bottom',
] as const;

export type Word = (typeof VOCABULARY)[number];

export const DIGIT_WORDS: Word[] = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
export const COLOURS = ['red', 'green', 'blue', 'yellow'] as const;
export const SHAPES = ['circle', 'square', 'triangle'] as const;
export const SIZES = ['small', 'big'] as const;

/** Words that carry no meaning for the models. */
const FILLER = new Set([
  'a',
  'an',
  'the',
  'of',
  'on',
  'at',
  'in',
  'to',
  'and',
  'with',
  'is',
  'digit',
  'number',
  'numeral',
  'draw',
  'show',
  'me',
  'picture',
  'image',
  'photo',
  'please',
  'handwritten',
  'side',
  'shape',
  'one',
]);

const SYNONYMS: Record<string, Word> = {
  large: 'big',
  huge: 'big',
  tiny: 'small',
  little: 'small',
  disc: 'circle',
  circles: 'circle',
  dot: 'circle',
  box: 'square',
  squares: 'square',
  triangles: 'triangle',
  under: 'below',
  beneath: 'below',
  over: 'above',
};

const ID = new Map<string, number>(VOCABULARY.map((w, i) => [w, i]));

/** A tokenized prompt. */
export interface Tokenized {
  /** Known words in order. */
  words: Word[];
  /** Words the models do not know, as typed. */
  unknown: string[];
}

/** Splits a prompt into known words and unknown ones. Digits may be written as 0-9. */
export function tokenize(prompt: string): Tokenized {
  const words: Word[] = [];
  const unknown: string[] = [];
  const parts = prompt.toLowerCase().match(/[a-z]+|\d+/g) ?? [];
  for (const [index, raw] of parts.entries()) {
    if (/^\d$/.test(raw)) {
      words.push(DIGIT_WORDS[Number(raw)]);
      continue;
    }
    // "one" is a digit only after "digit"/"number"; otherwise it is filler ("a red one").
    if (raw === 'one') {
      if (/^(digit|number|numeral)$/.test(parts[index - 1] ?? '')) words.push('one');
      continue;
    }
    const word = (SYNONYMS[raw] ?? raw) as Word;
    if (ID.has(word) && word !== '<pad>') words.push(word);
    else if (!FILLER.has(raw)) unknown.push(raw);
  }
  return { words, unknown };
}

/** Token ids for `words`, padded (or cut) to `maxTokens`. */
export function encodeWords(words: readonly Word[], maxTokens: number): Int32Array {
  const ids = new Int32Array(maxTokens);
  words.slice(0, maxTokens).forEach((w, i) => {
    ids[i] = ID.get(w) ?? 0;
  });
  return ids;
}
