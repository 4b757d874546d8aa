import { answerSupport, junkReason, MIN_JUDGED_TERMS, type Support } from './grounding.js';
import { sentenceEnds } from './passages.js';
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
  const out: string[] = [];
  let at = 0;
  for (const end of sentenceEnds(text)) {
    out.push(text.slice(at, end));
    at = end;
  }
  if (at < text.length) out.push(text.slice(at));
  return out.filter(Boolean);
}

/**
 * Shows a local model's answer as it is written, one checked sentence at a time: a sentence is
 * passed on only when complete and supported by the sources (the first must also pass the whole
 * draft check of {@link judgeLocalDraft}), and the first sentence that fails ends what is shown.
 * So every prefix shown passes the draft check, and nothing unverified reaches the user.
 */
export class VerifiedSentences {
  private pending = '';
  private shownText = '';
  private stopped = false;
  /** Why showing stopped, when it did. */
  reason?: string;

  constructor(
    private readonly question: string,
    private readonly sources: NumberedSource[],
    private readonly minSupport: number,
    private readonly emit?: (text: string) => unknown,
  ) {}

  /** What has been shown so far (checked sentences, their spacing kept). */
  get shown(): string {
    return this.shownText;
  }

  /** More model text. */
  async push(text: string): Promise<void> {
    if (this.stopped) return;
    this.pending += text;
    let at = 0;
    for (const end of sentenceEnds(this.pending)) {
      if (!(await this.offer(this.pending.slice(at, end)))) return;
      at = end;
    }
    this.pending = this.pending.slice(at);
  }

  /** The model is done: the last sentence is complete. */
  async end(): Promise<void> {
    if (!this.stopped && this.pending.trim()) await this.offer(this.pending);
    this.pending = '';
  }

  private async offer(sentence: string): Promise<boolean> {
    const reason = this.check(sentence);
    if (reason) {
      this.stopped = true;
      this.reason = reason;
      this.pending = '';
      return false;
    }
    this.shownText += sentence;
    const ack = this.emit?.(sentence);
    if (ack && typeof (ack as Promise<unknown>).then === 'function') await ack;
    return true;
  }

  private check(sentence: string): string | undefined {
    if (!this.shownText.trim()) {
      const verdict = judgeLocalDraft(this.question, sentence, this.sources, this.minSupport);
      return verdict.ok ? undefined : verdict.reason;
    }
    // a short follow-up ("Bring snacks [1].") is judged by its words alone
    const junk = junkReason(sentence, this.sources, 1);
    if (junk) return junk;
    return answerSupport(sentence, this.sources).score < this.minSupport ? 'not supported by its sources' : undefined;
  }
}
