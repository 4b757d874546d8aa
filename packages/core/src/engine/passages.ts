/**
 * Splits a retrieved chunk (Markdown or plain text) into quotable units: sentences, list items,
 * table rows and code blocks, each kept exactly as written (identifiers, backticks, flags, paths),
 * with the heading path it sits under. The offline answer path quotes these units.
 */

/** What kind of text a unit is; the question type prefers some kinds (commands for "how do I"). */
export type UnitKind = 'sentence' | 'item' | 'row' | 'code';

/** One quotable unit of a chunk. */
export interface Unit {
  kind: UnitKind;
  /** The text to show, Markdown kept (backticks, code fences), links reduced to their text. */
  text: string;
  /** Headings above the unit, outermost first. */
  headingPath: string[];
  /** Paragraph (or list, table, code block) the unit belongs to; sentences of one block share it. */
  block: number;
  /** Position in the chunk, for reading order and sentence windows. */
  index: number;
  /** For a code block: the sentence that introduces it ("Run:"), when there is one. */
  lead?: string;
}

/** Words after which a full stop never ends a sentence. */
const NEVER_ENDS =
  /(?:^|[\s(])(?:e\.g|i\.e|vs|cf|approx|incl|resp|viz|ca|Mr|Mrs|Ms|Dr|St|Prof|No|Nos|Fig|Vol|Jr|Sr)\.$/i;

/**
 * Where sentences end in `text` (offsets just after their end punctuation and closing quotes or
 * brackets). A stop ends a sentence only when followed by white space and then text that is not
 * lower-case, outside inline code, and not after an abbreviation such as "e.g." or an initial; so
 * versions (`v1.2`), paths (`docs/mcp.md`), `127.0.0.1` and "e.g. foo" stay whole. A stop at the
 * very end of `text` is not reported: more text may follow it.
 */
export function sentenceEnds(text: string): number[] {
  const ends: number[] = [];
  let start = 0;
  let ticks = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '`') ticks++;
    if ((ch !== '.' && ch !== '!' && ch !== '?') || ticks % 2 === 1) continue;
    let end = i + 1;
    while (end < text.length && /[.!?"')\]*]/.test(text[end] as string)) end++;
    const gap = /^\s+/.exec(text.slice(end));
    if (!gap) continue;
    const next = text[end + gap[0].length];
    if (next === undefined || /[\p{Ll},;:]/u.test(next)) continue; // "e.g. foo", "etc., and"
    const head = text.slice(start, i + 1);
    if (ch === '.' && (NEVER_ENDS.test(head) || /(?:^|\s)\p{Lu}\.$/u.test(head))) continue; // abbreviation, initial
    ends.push(end);
    start = end;
    i = end - 1;
  }
  return ends;
}

/** Sentences of one paragraph, white space normalised (see {@link sentenceEnds} for where they end). */
export function splitSentences(text: string): string[] {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return [];
  const out: string[] = [];
  let start = 0;
  for (const end of sentenceEnds(flat)) {
    out.push(flat.slice(start, end).trim());
    start = end;
  }
  const rest = flat.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/** Inline Markdown reduced for display: links to their text, bold markers and HTML tags removed; code kept. */
export function inlineText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/<\/?(?:br|img|a|p|div|span|details|summary|sup|sub|kbd|b|i|em|strong|code|picture|source)\b[^>]*>/gi, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
const FENCE = /^\s*(```|~~~)/;
const LIST_ITEM = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => inlineText(c));
}

/** A table row as one line: `key: value`, or `key (header: value; ...)` for wider tables. */
function rowText(row: string[], header: string[] | undefined): string {
  const [first = '', ...rest] = row;
  const values = rest.filter((c) => c.length > 0);
  if (!values.length) return first;
  if (rest.length === 1 || !header) return `${first}: ${values.join('; ')}`;
  const labelled = rest.map((c, i) => (c ? `${header[i + 1] ?? ''}: ${c}`.replace(/^: /, '') : '')).filter(Boolean);
  return `${first} (${labelled.join('; ')})`;
}

/**
 * Splits a chunk into units. `basePath` is the heading path the chunk starts under (from the
 * index); headings inside the chunk extend or replace it by level.
 */
export function splitUnits(markdown: string, basePath: string[] = []): Unit[] {
  const units: Unit[] = [];
  let path = [...basePath];
  let block = 0;
  let paragraph: string[] = [];
  let item: string[] | undefined;
  let tableHeader: string[] | undefined;
  let fence: { marker: string; lines: string[] } | undefined;
  const add = (kind: UnitKind, text: string, extra: Partial<Unit> = {}) => {
    if (text.trim())
      units.push({ kind, text: text.trim(), headingPath: [...path], block, index: units.length, ...extra });
  };
  const flushParagraph = () => {
    if (paragraph.length) {
      for (const s of splitSentences(inlineText(paragraph.join(' ')))) add('sentence', s);
      block++;
    }
    paragraph = [];
  };
  const flushItem = () => {
    if (item) {
      const text = inlineText(item.join(' '));
      // a long item is quoted by sentences like a paragraph
      if (text.length > 400) for (const s of splitSentences(text)) add('item', s);
      else add('item', text);
      block++;
    }
    item = undefined;
  };
  const flush = () => {
    flushParagraph();
    flushItem();
  };
  const lines = markdown.split(/\r?\n/);
  for (const [at, line] of lines.entries()) {
    if (fence) {
      fence.lines.push(line);
      if (line.trim().startsWith(fence.marker) && fence.lines.length > 1) {
        const prev = units.at(-1);
        const lead = prev && prev.block === block - 1 && /:\s*$/.test(prev.text) ? prev.text : undefined;
        add('code', fence.lines.join('\n'), lead ? { lead } : {});
        block++;
        fence = undefined;
      }
      continue;
    }
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      flush();
      fence = { marker: fenceMatch[1] as string, lines: [line.trim()] };
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      tableHeader = undefined;
      const level = (heading[1] as string).length;
      path = [...path.slice(0, Math.max(0, level - 1)), inlineText(heading[2] as string)];
      block++;
      continue;
    }
    if (/^\s*\|/.test(line)) {
      flush();
      if (TABLE_RULE.test(line)) continue;
      const row = cells(line);
      // a header is followed by its rule; a chunk that starts mid-table has rows only
      if (!tableHeader && TABLE_RULE.test(lines[at + 1] ?? '')) tableHeader = row;
      else add('row', rowText(row, tableHeader));
      continue;
    }
    if (tableHeader) {
      tableHeader = undefined;
      block++;
    }
    if (!line.trim() || /^\s*<[^>]+>\s*$/.test(line)) {
      flush();
      continue;
    }
    const listMatch = LIST_ITEM.exec(line);
    if (listMatch) {
      flush();
      item = [listMatch[3] as string];
      continue;
    }
    if (item) item.push(line.trim());
    else paragraph.push(line.trim());
  }
  if (fence) {
    // a chunk can end inside a code block: quote what it has, closed
    add('code', [...fence.lines, fence.marker].join('\n'));
    block++;
  }
  flush();
  return units;
}
