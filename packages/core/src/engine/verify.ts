import { answerSupport, junkReason, MIN_JUDGED_TERMS, type Support } from './grounding.js';
import { splitSentences } from './passages.js';
import type { NumberedSource } from './sources.js';
import { contentTerms } from './text.js';

/** The verdict on a local model's draft, made before any of it is shown. */
export interface DraftVerdict {
  ok: boolean;
  support: Support;
  /** Why the draft is rejected. */
  reason?: string;
}

/**
 * Judges a local model's draft against its sources before it is shown: it must not be junk, must
 * have enough content words to judge, must be supported by its sources (share of content words at
 * least `minSupport`) and must use at least one of the question's terms (a supported sentence about
 * something else does not answer).
 */
export function judgeLocalDraft(
  question: string,
  draft: string,
  sources: NumberedSource[],
  minSupport: number,
): DraftVerdict {
  const support = answerSupport(draft, sources);
  const junk = junkReason(draft, sources);
  if (junk) return { ok: false, support, reason: junk };
  if (support.terms < MIN_JUDGED_TERMS) return { ok: false, support, reason: 'too short to check' };
  if (support.score < minSupport) return { ok: false, support, reason: 'not supported by its sources' };
  const asked = new Set(contentTerms(question));
  if (asked.size && !contentTerms(draft).some((t) => asked.has(t)))
    return { ok: false, support, reason: 'does not address the question' };
  return { ok: true, support };
}

/**
 * Sends checked text to a surface sentence by sentence (a code block as one piece), waiting for a
 * surface that applies backpressure.
 */
export async function emitChecked(text: string, onToken: ((t: string) => unknown) | undefined): Promise<void> {
  if (!onToken || !text) return;
  const pieces = text.includes('```') ? text.split(/(?<=\n)/) : splitOnSentences(text);
  for (const piece of pieces) {
    const ack = onToken(piece);
    if (ack && typeof (ack as Promise<unknown>).then === 'function') await ack;
  }
}

/** Splits text into sentence pieces that concatenate back to exactly the same text. */
function splitOnSentences(text: string): string[] {
  const sentences = splitSentences(text);
  const out: string[] = [];
  let at = 0;
  for (const s of sentences) {
    const end = text.indexOf(s.slice(-Math.min(8, s.length)), at);
    if (end < 0) break;
    const stop = end + Math.min(8, s.length);
    out.push(text.slice(at, stop));
    at = stop;
  }
  if (at < text.length) out.push(text.slice(at));
  return out.filter(Boolean);
}
