import { splitUnits, type Unit } from './passages.js';
import { type QuestionType, questionType } from './question.js';
import type { NumberedSource } from './sources.js';
import { contentTerms } from './text.js';

/** The reply when the knowledge base does not cover a question; it quotes nothing. */
export const NOT_COVERED_TEXT =
  'The knowledge base does not cover this. Add a document about it (`hearth ingest <file>`, or the add_knowledge tool) and ask again.';

/**
 * Below this share of the question's weighted terms found in the best passage or its source (less
 * {@link MISSING_NAME_COST} per name of the question the source never mentions) the question counts
 * as not covered. Picked on SQuAD 2.0 articles 1-2 with one article left out of the index
 * (`HEARTH_BENCH_ANSWERS_TUNE=1 pnpm bench answers`), reported on articles 3-5.
 */
export const MIN_COVERAGE = 0.2;

/** Least share of the question's distinct terms the passage (or its headings) must match; tuned with MIN_COVERAGE. */
export const MIN_MATCHED_SHARE = 0.3;

/** What each name of the question missing from the passage's source takes off its coverage. */
export const MISSING_NAME_COST = 0.3;

/** Longest quoted passage in characters, unless a code block needs more. */
const MAX_CHARS = 480;
/** A quote shorter than this takes in the neighbouring sentence of its paragraph. */
const CONTEXT_CHARS = 300;

/** A unit of a retrieved source, scored against the question. */
interface Candidate extends Unit {
  n: number;
  /** Terms of the whole chunk with its title and headings: what the source covers. */
  chunk: Set<string>;
  /** For a code block: the sentence that follows and explains it. */
  tail?: string;
  rank: number;
  title: string;
  terms: Set<string>;
  /** The unit's content terms in order, for phrase matches. */
  seq: string[];
  heads: Set<string>;
}

/** What scoring needs to know about the question. */
interface Asked {
  wanted: string[];
  /** Adjacent content-term pairs of the question ("bearer token"). */
  pairs: Set<string>;
  /** Lower-cased words of the question: an answer brings a number or name the question lacks. */
  words: Set<string>;
  type: QuestionType;
  weight: Map<string, number>;
  mean: number;
}

/** The passage that best answers a question, and how much of the question it covers. */
export interface Passage {
  /** Source number the passage cites. */
  n: number;
  /** The quoted text (Markdown kept). */
  text: string;
  /** Title and headings the passage sits under. */
  where: string[];
  /** Share (0-1) of the question's weighted terms found in the passage, its headings or its title. */
  coverage: number;
  /** Names in the question (capitalised words after its first) that no retrieved source mentions. */
  missingNames: number;
  /** Distinct question terms (not counting weak verbs) the passage matches. */
  matched: number;
  score: number;
}

const IDENTIFIER = /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/;
const COMMAND = /`[^`]*(?:\b(?:hearth|pnpm|npm|npx|node|corepack|git|curl|docker)\b|\s--?[a-z])[^`]*`/;
/** A shell block (or an unlabelled one that starts with a command), not a JSON or TypeScript example. */
const SHELL_BLOCK =
  /^\s*(?:```|~~~)(?:sh|bash|shell|console|zsh|powershell|ps1|bat|cmd)?\s*\n\s*(?:\$\s*)?(?:[A-Z_]+=\S*\s+)*(?:hearth|pnpm|npm|npx|node|corepack|git|curl|docker|cd|export|set)\b/;
/** Verbs of almost any question ("which variable sets ..."): they count for little. */
const WEAK = new Set([
  'set',
  'us',
  'use',
  'used',
  'get',
  'mak',
  'need',
  'way',
  'work',
  'do',
  'don',
  'doe',
  'want',
  'able',
  'find',
]);

/** Question words that name the kind of answer, matched by its form rather than its words. */
const TYPE_WORDS: Record<'command' | 'variable' | 'default', RegExp> = {
  command: /^(?:command|cli|lin|run|terminal|shell)$/,
  variable: /^(?:environment|env|variabl|var)$/,
  default: /^(?:default)$/,
};
const NUMBERS = /\b\d[\d,.]*\b/g;
const NAMES = /\b\p{Lu}[\p{L}'-]+/gu;
const STARTS_WITH_REFERENCE =
  /^(?:it|its|this|these|that|those|they|their|he|his|she|her|there|however|but|also|thus|then)\b/i;

/**
 * Picks the passage that best answers `question` from the numbered sources: sentence windows,
 * list items, table rows and code blocks scored by the question's terms (weighted by rarity among
 * the candidates, headings counted at a discount) and by its type (commands for "how do I",
 * UPPER_CASE identifiers for "which variable", "default" for defaults), with a small preference for
 * higher-ranked sources. Undefined when no unit shares a term with the question.
 */
export function bestPassage(question: string, sources: NumberedSource[]): Passage | undefined {
  const wanted = [...new Set(contentTerms(question))];
  if (!wanted.length) return undefined;
  const type = questionType(question);
  const candidates: Candidate[] = sources.flatMap(({ n, hit }, rank) => {
    const chunk = new Set(contentTerms(`${hit.title} ${(hit.headingPath ?? []).join(' ')} ${hit.text}`));
    const units = splitUnits(hit.text, hit.headingPath ?? []);
    return units.map((u, i) => {
      const next = units[i + 1];
      const tail = u.kind === 'code' && next?.kind === 'sentence' && next.block === u.block + 1 ? next.text : undefined;
      // a code block is about what the paragraph before it says, even without a "Run:" lead-in
      const prev = units[i - 1];
      const intro =
        u.kind === 'code' &&
        SHELL_BLOCK.test(u.text) &&
        !u.lead &&
        prev?.kind === 'sentence' &&
        prev.block === u.block - 1
          ? prev.text
          : '';
      return {
        ...u,
        n,
        rank,
        title: hit.title,
        chunk,
        ...(tail ? { tail } : {}),
        terms: new Set(contentTerms(`${u.lead ?? intro} ${u.text} ${tail ?? ''}`)),
        seq: contentTerms(u.text),
        heads: new Set(contentTerms(`${hit.title} ${u.headingPath.join(' ')}`)),
      };
    });
  });
  if (!candidates.length) return undefined;
  const weight = new Map<string, number>();
  for (const t of wanted) {
    const df = candidates.filter((c) => c.terms.has(t) || c.heads.has(t)).length;
    weight.set(t, Math.log(1 + candidates.length / Math.max(0.5, df)) * (WEAK.has(t) ? 0.3 : 1));
  }
  const total = wanted.reduce((s, t) => s + (weight.get(t) ?? 0), 0);
  const mean = total / wanted.length;
  const order = contentTerms(question);
  const asked: Asked = {
    wanted,
    pairs: new Set(order.slice(1).map((t, i) => `${order[i]} ${t}`)),
    words: new Set(question.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []),
    type,
    weight,
    mean,
  };
  let best: { c: Candidate[]; score: number; coverage: number; matched: number } | undefined;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i] as Candidate;
    const windows: Candidate[][] = [[c]];
    const next = candidates[i + 1];
    if (c.kind === 'sentence' && next?.kind === 'sentence' && next.block === c.block && next.n === c.n)
      windows.push([c, next]);
    for (const w of windows) {
      const scored = scoreWindow(w, asked);
      if (scored.score > 0 && (!best || scored.score > best.score)) best = { c: w, ...scored };
    }
  }
  if (!best) return undefined;
  const text = render(best.c, candidates);
  const first = best.c[0] as Candidate;
  const where = [first.title, ...first.headingPath].filter((h, i, all) => h && all.indexOf(h) === i);
  // coverage of the passage's whole chunk: does the source this quote comes from speak of the question?
  const covered = wanted.reduce((sum, t) => sum + (first.chunk.has(t) ? (weight.get(t) ?? 0) : 0), 0);
  return {
    n: first.n,
    text,
    where,
    coverage: total ? Math.max(covered, best.coverage) / total : 0,
    missingNames: questionNames(question).filter((t) => !candidates.some((c) => c.chunk.has(t))).length,
    matched: best.matched,
    score: best.score,
  };
}

/** Content terms of the names in a question: capitalised words other than its first word. */
export function questionNames(question: string): string[] {
  const names = (question.match(NAMES) ?? []).filter((x, i) => i > 0 || question.trimStart().indexOf(x) > 0);
  return [...new Set(contentTerms(names.join(' ')))];
}

function scoreWindow(w: Candidate[], asked: Asked): { score: number; coverage: number; matched: number } {
  const { wanted, weight, type, mean } = asked;
  const terms = new Set(w.flatMap((c) => [...c.terms]));
  const heads = (w[0] as Candidate).heads;
  let score = 0;
  let coverage = 0;
  let matched = 0;
  const text = w.map((c) => `${c.lead ?? ''} ${c.text}`).join(' ');
  const first = w[0] as Candidate;
  const shell = first.kind === 'code' && SHELL_BLOCK.test(first.text);
  const form = {
    command: type.command && (shell || COMMAND.test(text)),
    variable: type.variable && IDENTIFIER.test(text) && (first.kind !== 'code' || shell),
    default: type.default && /\bdefault/i.test(text),
  };
  for (const t of wanted) {
    const wt = weight.get(t) ?? 0;
    const byForm = (Object.keys(form) as (keyof typeof form)[]).some((k) => form[k] && TYPE_WORDS[k].test(t));
    if (terms.has(t) || byForm) {
      score += wt;
      coverage += wt;
      if (!WEAK.has(t)) matched++;
    } else if (heads.has(t)) {
      score += wt * 0.4;
      coverage += wt;
      if (!WEAK.has(t)) matched++;
    }
  }
  if (score === 0) return { score: 0, coverage: 0, matched: 0 };
  let bonus = 0;
  if (form.command) bonus += shell ? 2 : 0.8;
  if (form.variable) bonus += 1.2;
  if (form.default) bonus += 1;
  // an answer to "how many" / "when" / "who" brings a number or a name the question does not have
  if (type.number && (text.match(NUMBERS) ?? []).some((x) => !asked.words.has(x.toLowerCase()))) bonus += 0.5;
  if (type.name && (text.match(NAMES) ?? []).slice(1).some((x) => !asked.words.has(x.toLowerCase()))) bonus += 0.3;
  // words of the question in the same order ("bearer token", "Battle of Hastings") are stronger evidence
  let phrases = 0;
  for (const c of w)
    for (let i = 1; i < c.seq.length; i++) if (asked.pairs.has(`${c.seq[i - 1]} ${c.seq[i]}`)) phrases++;
  bonus += Math.min(3, phrases) * 0.4;
  // long windows match more words by chance: damp them; a second sentence must earn its place
  const size = first.kind === 'code' ? 12 : terms.size;
  const damp = Math.sqrt(Math.max(12, size) / 12);
  return {
    score: (score + bonus * mean) / damp - first.rank * 0.03 * mean - (w.length - 1) * 0.15 * mean,
    coverage,
    matched,
  };
}

/** The quoted text of a window: a code block with its lead-in, a lead-in with its code block, a pronoun with its antecedent. */
function render(w: Candidate[], all: Candidate[]): string {
  const first = w[0] as Candidate;
  const last = w.at(-1) as Candidate;
  const parts = w.map((c) => c.text);
  if (first.kind === 'code' && first.lead) parts.unshift(first.lead);
  if (first.kind === 'code' && first.tail && parts.join(' ').length + first.tail.length < MAX_CHARS)
    parts.push(first.tail);
  const after = all[all.indexOf(last) + 1];
  if (/:\s*$/.test(last.text) && after?.kind === 'code' && after.n === last.n) parts.push(after.text);
  const before = all[all.indexOf(first) - 1];
  if (
    STARTS_WITH_REFERENCE.test(first.text) &&
    before?.n === first.n &&
    before.block === first.block &&
    before.text.length + parts.join(' ').length < MAX_CHARS
  )
    parts.unshift(before.text);
  // a short quote reads better, and more often holds the answer, with its neighbouring sentence
  let lo = all.indexOf(first);
  let hi = all.indexOf(last);
  for (let guard = 0; first.kind === 'sentence' && guard < 2 && parts.join(' ').length < CONTEXT_CHARS; guard++) {
    const next = all[hi + 1];
    const prev = all[lo - 1];
    const same = (c: Candidate | undefined) => c?.kind === 'sentence' && c.n === first.n && c.block === first.block;
    if (same(next) && parts.join(' ').length + (next as Candidate).text.length < MAX_CHARS) {
      parts.push((next as Candidate).text);
      hi++;
    } else if (same(prev) && parts.join(' ').length + (prev as Candidate).text.length < MAX_CHARS) {
      parts.unshift((prev as Candidate).text);
      lo--;
    } else break;
  }
  const joined = joinParts(parts);
  return joined.length > MAX_CHARS && !joined.includes('```') ? shorten(joined) : joined;
}

function joinParts(parts: string[]): string {
  return parts.reduce(
    (out, p) => (!out ? p : out.includes('```') || p.startsWith('```') ? `${out}\n${p}` : `${out} ${p}`),
    '',
  );
}

/** Cuts an over-long quote at a word boundary. */
function shorten(text: string): string {
  return `${text.slice(0, MAX_CHARS).replace(/\s+\S*$/, '')} …`;
}

/**
 * A grounded answer without a generative model: the passage that best answers the question,
 * quoted exactly under the headings it came from and cited; the not-covered reply when none
 * covers enough of the question.
 */
export function extractiveAnswer(question: string, sources: NumberedSource[]): string {
  const passage = bestPassage(question, sources);
  if (!passage || !covers(passage, askedTerms(question))) return NOT_COVERED_TEXT;
  return formatPassage(passage);
}

/** How many distinct content terms (not counting weak verbs) a question has. */
export function askedTerms(question: string): number {
  return new Set(contentTerms(question).filter((t) => !WEAK.has(t))).size;
}

/** Whether a passage covers its question well enough to be quoted as the answer. */
export function covers(
  p: Pick<Passage, 'coverage' | 'missingNames' | 'matched'>,
  asked: number,
  minCoverage = MIN_COVERAGE,
): boolean {
  // one shared word of a longer question ("speed" of light vs "quality and speed") is chance
  if (asked >= 3 && p.matched < 2) return false;
  if (p.matched < MIN_MATCHED_SHARE * asked) return false;
  return p.coverage - MISSING_NAME_COST * p.missingNames >= minCoverage;
}

/** `From "Title › Heading" [n]:` and the passage below it. */
export function formatPassage(p: Pick<Passage, 'n' | 'text' | 'where'>): string {
  const where = p.where.length ? ` "${p.where.join(' › ')}"` : ' the knowledge base';
  return `From${where} [${p.n}]:\n${p.text}`;
}
