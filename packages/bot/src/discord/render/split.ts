/** Discord's message length limit. */
export const MESSAGE_LIMIT = 2000;

const FENCE = /^ {0,3}(`{3,}|~{3,})([^`]*)$/;
const LINK = /!?\[[^\]\n]*\]\([^)\s]*(?:\s+"[^"\n]*")?\)|<https?:\/\/[^>\s]+>|https?:\/\/[^\s<>()]+/g;
/** Room kept for the closing fence a cut inside a code block adds. */
const CLOSE_RESERVE = 12;

interface Fence {
  marker: string;
  line: string;
}

/**
 * Splits markdown into messages of at most `limit` characters, preferring paragraph, then line,
 * then sentence, then word boundaries. A cut inside a code fence closes the fence and re-opens it
 * (with its language) in the next message; a cut never falls inside a markdown link or URL.
 */
export function splitMessage(text: string, limit = MESSAGE_LIMIT): string[] {
  if (limit < 100) throw new RangeError('limit must be at least 100 characters');
  const chunks: string[] = [];
  let rest = text.replace(/\s+$/, '');
  let open: Fence | undefined;
  while (rest.length > 0) {
    const prefix = open ? `${open.line}\n` : '';
    if (prefix.length + rest.length <= limit) {
      chunks.push(prefix + rest);
      break;
    }
    const budget = limit - prefix.length - CLOSE_RESERVE;
    const cut = chooseCut(rest, budget, open);
    let piece = rest.slice(0, cut);
    const end = fenceAfter(piece, open);
    rest = rest.slice(cut);
    if (end) {
      piece = `${piece.endsWith('\n') ? piece : `${piece}\n`}${end.marker}`;
      rest = rest.replace(/^\n/, '');
    } else {
      piece = piece.replace(/\s+$/, '');
      rest = rest.replace(/^\s*\n/, '').replace(/^ +/, '');
    }
    if (piece.trim()) chunks.push(prefix + piece);
    open = end;
  }
  return chunks;
}

/** The code fence still open after `text`, given the fence open before it. */
export function fenceAfter(text: string, open?: Fence): Fence | undefined {
  let state = open;
  for (const line of text.split('\n')) state = nextFence(line, state);
  return state;
}

function nextFence(line: string, state: Fence | undefined): Fence | undefined {
  const m = FENCE.exec(line);
  if (!m) return state;
  const marker = m[1]!;
  if (!state) return { marker, line: line.trim() };
  const closes = marker[0] === state.marker[0] && marker.length >= state.marker.length && !m[2]!.trim();
  return closes ? undefined : state;
}

/** Best cut position in (0, budget]: a boundary of the highest rank found late enough, never inside a link. */
function chooseCut(text: string, budget: number, open: Fence | undefined): number {
  const window = text.slice(0, budget + 1);
  const links = linkSpans(text);
  const insideLink = (pos: number) => links.some(([s, e]) => pos > s && pos < e);
  const ranks: number[][] = [[], [], [], [], [], []];
  let state = open;
  let offset = 0;
  for (const line of window.split('\n')) {
    const lineStart = offset;
    const before = state;
    state = nextFence(line, state);
    offset += line.length + 1;
    const inCode = before !== undefined && state !== undefined;
    if (!inCode) {
      for (const m of line.matchAll(/[.!?…][)"'\]*_]*\s+/g)) ranks[3]!.push(lineStart + m.index + m[0].length);
      for (const m of line.matchAll(/\s+/g)) ranks[4]!.push(lineStart + m.index + m[0].length);
    }
    if (offset > budget) break;
    const blank = line.trim() === '';
    if (state === undefined) ranks[blank ? 0 : 1]!.push(offset);
    else if (before !== undefined) ranks[2]!.push(offset); // never right after an opening fence
  }
  const floor = Math.floor(budget * 0.3);
  for (const list of ranks) {
    const ok = list.filter((p) => p > floor && p <= budget && !insideLink(p));
    if (ok.length) return ok.at(-1)!;
  }
  for (const list of ranks) {
    const ok = list.filter((p) => p > 0 && p <= budget && !insideLink(p));
    if (ok.length) return ok.at(-1)!;
  }
  // No boundary at all: a hard cut, moved before a link it would split (unless the link fills the window).
  const link = links.find(([s, e]) => budget > s && budget < e);
  return link && link[0] > 0 ? link[0] : budget;
}

function linkSpans(text: string): [number, number][] {
  return [...text.matchAll(LINK)].map((m) => [m.index, m.index + m[0].length] as [number, number]);
}
