import { CITATION } from './citations.js';
import type { NumberedSource } from './sources.js';
import { contentTerms } from './text.js';

/** How well an answer is supported by the sources it was given. */
export interface Support {
  /** Share of the answer's content terms (stemmed, no stop words) found in the sources it cites (all sources when it cites none), 0-1. */
  score: number;
  /** Content terms the answer has; a very short answer ("Yes [1].") is not judged. */
  terms: number;
}

/**
 * Measures lexical support: an answer that uses words found nowhere in its sources is likely
 * made up (the commonest failure of small models given a grounded prompt). It cannot prove
 * faithfulness, but a low score reliably flags invented text.
 */
export function answerSupport(answer: string, sources: NumberedSource[]): Support {
  const cited = new Set([...answer.matchAll(CITATION)].flatMap((m) => m[1]!.split(',').map(Number)));
  const used = sources.filter((s) => cited.size === 0 || cited.has(s.n));
  const vocabulary = new Set(used.flatMap((s) => contentTerms(`${s.hit.title} ${s.hit.text}`)));
  const terms = contentTerms(answer.replace(CITATION, ' '));
  if (!terms.length) return { score: 1, terms: 0 };
  return { score: terms.filter((t) => vocabulary.has(t)).length / terms.length, terms: terms.length };
}

/** Below this many content terms an answer is too short to judge. */
export const MIN_JUDGED_TERMS = 4;

/** Whether the grounding check should replace `answer` with quotes from the sources. */
export function unsupported(support: Support, minSupport: number): boolean {
  return support.terms >= MIN_JUDGED_TERMS && support.score < minSupport;
}

/** Function words a grounded answer may use although its sources do not. */
const COMMON = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have how i if in into is it its me my no not of on or ' +
    'our so than that the their them then there these they this to us was we were what when where which who will with would you your ' +
    'yes also use used using see set sets run runs answer source sources according knowledge base'
  ).split(' '),
);

/** Words of a text as written, lower-cased (identifiers kept whole: `add_knowledge`). */
function rawWords(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize('NFKC')
      .match(/[\p{L}\p{N}_]+/gu) ?? []
  );
}

/**
 * Why a draft is junk rather than an answer, or undefined when it is not: too few words, a long
 * digit run its sources lack (`Q8_00000000000`), or words found neither in its sources nor among
 * common function words (`ModolsIs`, `ldiamable`). A small model's junk is often too short for
 * the content-word score to judge, so this check runs first. `minWords` (default 3) is the fewest
 * words a whole answer needs; a follow-up sentence of a checked answer may be shorter.
 */
export function junkReason(answer: string, sources: NumberedSource[], minWords = 3): string | undefined {
  const body = answer.replace(CITATION, ' ');
  const words = rawWords(body);
  if (words.filter((w) => /\p{L}/u.test(w)).length < minWords) return 'too few words';
  const corpus = sources.map((s) => `${s.hit.title} ${s.hit.text}`).join('\n');
  for (const run of body.match(/\d{5,}/g) ?? []) if (!corpus.includes(run)) return 'digit run not in the sources';
  const vocabulary = new Set(rawWords(corpus));
  const unknown = words.filter((w) => !vocabulary.has(w) && !COMMON.has(w) && !/^\d{1,4}$/.test(w));
  if (words.length && unknown.length / words.length > 0.2) return 'words not in the sources';
  return undefined;
}
