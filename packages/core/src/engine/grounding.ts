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
