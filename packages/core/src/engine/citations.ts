import type { NumberedSource } from './sources.js';
import type { Citation } from './types.js';

/** A citation marker: `[2]` or `[1, 3]`, with the space before it. */
export const CITATION = /\s?\[(\d+(?:\s*,\s*\d+)*)\]/g;

/**
 * Removes citations that point to no source (`[7]` with 3 sources; in `[1, 7]` only the 7) and
 * lists the sources the answer cites, in number order.
 */
export function checkCitations(text: string, sources: NumberedSource[]): { text: string; citations: Citation[] } {
  const valid = new Set(sources.map((s) => s.n));
  const cited = new Set<number>();
  const cleaned = text.replace(CITATION, (whole, list: string) => {
    const kept = list
      .split(',')
      .map((x) => Number(x.trim()))
      .filter((n) => valid.has(n));
    for (const n of kept) cited.add(n);
    if (!kept.length) return '';
    return `${whole.startsWith(' ') ? ' ' : ''}[${kept.join(', ')}]`;
  });
  const citations = sources
    .filter((s) => cited.has(s.n))
    .map(({ n, hit }) => ({
      n,
      sourceId: hit.sourceId,
      title: hit.title,
      uri: hit.source,
      excerpt: excerpt(hit.text),
    }));
  return { text: cleaned, citations };
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= 200 ? flat : `${flat.slice(0, 200).replace(/\s+\S*$/, '')} …`;
}

/**
 * Applies the citation check to streamed text: holds back a `[` until its `]` shows whether it is a
 * valid citation, so a surface never displays a citation the final answer drops.
 */
export class CitationStreamFilter {
  private held = '';
  constructor(private readonly sources: NumberedSource[]) {}

  /** Text that may be shown now. */
  push(text: string): string {
    this.held += text;
    let out = '';
    for (;;) {
      const open = this.held.indexOf('[');
      if (open < 0) {
        // a trailing space may belong to a citation that is still to come: hold it
        const keep = this.held.endsWith(' ') ? 1 : 0;
        out += this.held.slice(0, this.held.length - keep);
        this.held = this.held.slice(this.held.length - keep);
        return out;
      }
      // a space before `[` may be dropped with an invalid citation: hold it too
      const start = open > 0 && this.held[open - 1] === ' ' ? open - 1 : open;
      out += this.held.slice(0, start);
      this.held = this.held.slice(start);
      const close = this.held.indexOf(']');
      const inside = this.held.slice(this.held.indexOf('[') + 1, close < 0 ? undefined : close);
      if (!/^[\d,\s]*$/.test(inside) || inside.length > 20) {
        // not a citation: release through the `[`
        const through = this.held.indexOf('[') + 1;
        out += this.held.slice(0, through);
        this.held = this.held.slice(through);
        continue;
      }
      if (close < 0) return out;
      out += checkCitations(this.held.slice(0, close + 1), this.sources).text;
      this.held = this.held.slice(close + 1);
    }
  }

  /** Whatever is still held at the end. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }
}
