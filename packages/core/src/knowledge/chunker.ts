import { createHash } from 'node:crypto';

/** One chunk: a contiguous span `[start, end)` of the document text. */
export interface Chunk {
  text: string;
  start: number;
  end: number;
  headingPath: string[];
  hash: string;
}

/** Chunking budget, in approximate tokens. */
export interface ChunkOptions {
  maxTokens: number;
  overlapTokens: number;
}

export const DEFAULT_CHUNKING: ChunkOptions = { maxTokens: 256, overlapTokens: 32 };

/** Rough token count (GPT-style BPE averages about 4 characters per token in English). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

interface Unit {
  start: number;
  end: number;
  /** Units of different blocks never share a chunk when a heading separates them. */
  section: number;
  tokens: number;
}

interface Section {
  start: number;
  end: number;
  headingPath: string[];
}

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

/** Splits Markdown-ish text into sections at headings, tracking the heading path. */
function sections(text: string, markdown: boolean): Section[] {
  if (!markdown) return [{ start: 0, end: text.length, headingPath: [] }];
  const out: Section[] = [];
  const path: { level: number; title: string }[] = [];
  let current: Section = { start: 0, end: text.length, headingPath: [] };
  let offset = 0;
  let inFence = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const match = inFence ? null : HEADING.exec(line);
    if (match) {
      current.end = offset;
      if (current.end > current.start) out.push(current);
      const level = match[1].length;
      while (path.length && path[path.length - 1].level >= level) path.pop();
      path.push({ level, title: match[2] });
      current = { start: offset, end: text.length, headingPath: path.map((p) => p.title) };
    }
    offset += line.length + 1;
  }
  current.end = text.length;
  if (current.end > current.start) out.push(current);
  return out;
}

/** Appends [start,end) split into sentence units (then word windows for run-on text) within budget. */
function pushUnits(text: string, start: number, end: number, section: number, budget: number, out: Unit[]): void {
  const piece = text.slice(start, end);
  if (estimateTokens(piece) <= budget) {
    out.push({ start, end, section, tokens: estimateTokens(piece) });
    return;
  }
  const sentence = /[^.!?\n]+(?:[.!?]+["')\]]*|\n|$)\s*/g;
  let match: RegExpExecArray | null;
  let found = false;
  while ((match = sentence.exec(piece)) !== null) {
    if (match[0].length === 0) {
      sentence.lastIndex++;
      continue;
    }
    const s = start + match.index;
    const e = s + match[0].length;
    if (e - s >= piece.length) break;
    found = true;
    pushUnits(text, s, e, section, budget, out);
  }
  if (found) return;
  // A single sentence over budget: hard windows at whitespace.
  const width = budget * 4;
  let s = start;
  while (s < end) {
    let e = Math.min(end, s + width);
    if (e < end) {
      const space = text.lastIndexOf(' ', e);
      if (space > s + width / 2) e = space + 1;
    }
    out.push({ start: s, end: e, section, tokens: estimateTokens(text.slice(s, e)) });
    s = e;
  }
}

/**
 * Splits a document following its structure: headings (Markdown), then paragraphs, then sentences, packed into
 * chunks of at most `maxTokens` with about `overlapTokens` of the previous chunk repeated at the start of the next
 * one inside a section. Every chunk is a contiguous span of `text`, so its offsets point into the source.
 */
export function chunkText(text: string, options: Partial<ChunkOptions> & { markdown?: boolean } = {}): Chunk[] {
  const { maxTokens, overlapTokens } = { ...DEFAULT_CHUNKING, ...options };
  const secs = sections(text, options.markdown ?? true);
  const units: Unit[] = [];
  secs.forEach((sec, index) => {
    const paragraph = /\n\s*\n/g;
    let s = sec.start;
    const body = text.slice(sec.start, sec.end);
    let match: RegExpExecArray | null;
    while ((match = paragraph.exec(body)) !== null) {
      const e = sec.start + match.index + match[0].length;
      if (text.slice(s, e).trim()) pushUnits(text, s, e, index, maxTokens, units);
      s = e;
    }
    if (text.slice(s, sec.end).trim()) pushUnits(text, s, sec.end, index, maxTokens, units);
  });

  const chunks: Chunk[] = [];
  let i = 0;
  while (i < units.length) {
    let j = i;
    let tokens = units[i].tokens;
    while (
      j + 1 < units.length &&
      units[j + 1].section === units[i].section &&
      tokens + units[j + 1].tokens <= maxTokens
    ) {
      j++;
      tokens += units[j].tokens;
    }
    let start = units[i].start;
    let end = units[j].end;
    const raw = text.slice(start, end);
    start += raw.length - raw.trimStart().length;
    end -= raw.length - raw.trimEnd().length;
    if (end > start) {
      const chunkText = text.slice(start, end);
      chunks.push({
        text: chunkText,
        start,
        end,
        headingPath: secs[units[i].section].headingPath,
        hash: createHash('sha256').update(chunkText).digest('hex').slice(0, 32),
      });
    }
    if (j + 1 >= units.length) break;
    // Start the next chunk a few units back (overlap) when they belong to the same section.
    let next = j + 1;
    let overlap = 0;
    while (
      next - 1 > i &&
      units[next - 1].section === units[j + 1].section &&
      overlap + units[next - 1].tokens <= Math.min(overlapTokens, maxTokens - units[j + 1].tokens)
    ) {
      next--;
      overlap += units[next].tokens;
    }
    i = next;
  }
  return chunks;
}
