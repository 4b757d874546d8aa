import { seededRandom } from '@hearth/ml';
import type { Transcript } from './chat.js';
import { HEARTH_FACTS, NOT_IN_SOURCES } from './hearth-facts.js';

/** The system prompt the shipped model is tuned for: persona, then numbered quoted sources. */
export function groundedSystemPrompt(sources: string[]): string {
  const list = sources.map((s, i) => `[${i + 1}] ${s}`).join('\n');
  return `You are Hearth. Answer briefly from the sources and cite them.\nSources:\n${list}`;
}

/**
 * Builds seeded chat transcripts that teach answering from quoted sources: each has 2..maxSources numbered
 * sources (default 2; one answers the question, unless it is a "not in the sources" example) and an answer
 * that quotes the right source with its number.
 */
export function buildGroundedTranscripts(count: number, seed: number, maxSources = 2): Transcript[] {
  const rand = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const out: Transcript[] = [];
  for (let n = 0; n < count; n++) {
    const target = pick(HEARTH_FACTS);
    const unanswerable = rand() < 0.12;
    const k = 2 + Math.floor(rand() * (maxSources - 1));
    const others = HEARTH_FACTS.filter((f) => f !== target)
      .map((f) => ({ f, r: rand() }))
      .sort((a, b) => a.r - b.r)
      .slice(0, unanswerable ? k : k - 1)
      .map((x) => x.f);
    const sources = unanswerable ? others : [...others];
    const at = unanswerable ? -1 : Math.floor(rand() * k);
    if (!unanswerable) sources.splice(at, 0, target);
    const answer = unanswerable ? NOT_IN_SOURCES : `${target.fact} [${at + 1}]`;
    out.push({
      messages: [
        { role: 'system', content: groundedSystemPrompt(sources.map((s) => s.fact)) },
        { role: 'user', content: pick(target.questions) },
        { role: 'assistant', content: answer },
      ],
    });
  }
  return out;
}
