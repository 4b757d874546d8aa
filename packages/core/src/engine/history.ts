import type { ConversationRepository } from '../storage/conversations.js';
import type { StoredMessage, StoredSummary } from './conversation-store.js';

/** The history that goes into a prompt. */
export interface PromptHistory {
  /** Summary of older messages (whole sentences, marked as a summary), or empty. */
  summary: string;
  /** Recent messages, oldest first, each whole. */
  messages: StoredMessage[];
  /** The summary to persist when older messages were folded in this time. */
  updatedSummary?: StoredSummary;
}

/** Share of the history budget kept for recent turns verbatim; the rest holds the summary. */
const VERBATIM_SHARE = 0.75;
/** Longest part of one message kept in a summary line. */
const SUMMARY_LINE_CHARS = 200;

/**
 * Picks the history within `budgetTokens`: the most recent messages verbatim (never cut inside a
 * message, starting at a user message), older ones folded into a running extractive summary whose
 * lines are whole sentences. Reads the unsummarised rows only (the summary point moves every time
 * older messages are folded), a page at a time, on either storage engine.
 */
export async function selectHistory(
  store: Pick<ConversationRepository, 'summary' | 'newestFirst'>,
  conversation: string,
  budgetTokens: number,
  countTokens: (t: string) => number,
): Promise<PromptHistory> {
  const previous = await store.summary(conversation);
  const verbatimBudget = Math.floor(budgetTokens * VERBATIM_SHARE);
  const summaryBudget = budgetTokens - verbatimBudget;
  const recent: StoredMessage[] = [];
  const overflow: StoredMessage[] = [];
  let used = 0;
  for await (const m of store.newestFirst(conversation, previous?.upto ?? 0)) {
    if (overflow.length === 0 && used + m.tokens <= verbatimBudget) {
      recent.push(m);
      used += m.tokens;
    } else {
      overflow.push(m);
    }
  }
  recent.reverse();
  overflow.reverse();
  // a verbatim history that opens with an answer would have lost its question: fold it too
  while (recent.length && recent[0]?.role === 'assistant') overflow.push(recent.shift() as StoredMessage);
  if (overflow.length === 0) return { summary: previous?.text ?? '', messages: recent };
  const lines = [...(previous?.text ? previous.text.split('\n') : []), ...overflow.map(summaryLine)];
  while (lines.length > 1 && countTokens(lines.join('\n')) > summaryBudget) lines.shift();
  const text = lines.join('\n');
  const upto = overflow[overflow.length - 1]?.id ?? previous?.upto ?? 0;
  return { summary: text, messages: recent, updatedSummary: { text, upto } };
}

/** One summary line: who spoke and their first sentence(s), ending at a sentence or word boundary. */
export function summaryLine(m: Pick<StoredMessage, 'role' | 'content'>): string {
  const who = m.role === 'user' ? 'User' : 'Assistant';
  const flat = m.content.replace(/\s+/g, ' ').trim();
  if (flat.length <= SUMMARY_LINE_CHARS) return `${who}: ${flat}`;
  const sentences = flat.match(/[^.!?]+[.!?]+(\s|$)/g) ?? [];
  let out = '';
  for (const s of sentences) {
    if ((out + s).length > SUMMARY_LINE_CHARS) break;
    out += s;
  }
  if (!out) out = `${flat.slice(0, SUMMARY_LINE_CHARS).replace(/\s+\S*$/, '')} …`;
  return `${who}: ${out.trim()}`;
}
