/** Fuzz target: the document loaders behind `hearth ingest` and uploads (Markdown, HTML, PDF, JSON, JSONL, CSV). */
import fc from 'fast-check';
import { loadBytes, SkipError } from '../../../packages/core/src/knowledge/loaders/index.js';
import { makePdf } from '../../../packages/core/test/knowledge/pdf.js';
import { type FuzzOptions, fuzz, invariant, refusal } from '../lib.js';
import { csvText } from './csv.js';

const enc = (s: string) => new TextEncoder().encode(s);
const REASONS = new Set(['unsupported type', 'empty', 'too large', 'parse error', 'fetch error']);

const tag = fc.constantFrom(
  'p',
  'div',
  'h1',
  'h3',
  'h6',
  'script',
  'style',
  'li',
  'table',
  'tr',
  'br',
  'pre',
  'b',
  'svg',
  'title',
  'x-y',
  'head',
  'body',
);
const htmlPiece = fc.oneof(
  tag.map((t) => `<${t}>`),
  tag.map((t) => `</${t}>`),
  fc.tuple(tag, fc.string({ maxLength: 10 })).map(([t, v]) => `<${t} class="${v}" onload='${v}'>`),
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    '<!--',
    '-->',
    '&amp;',
    '&#x0;',
    '&bogus;',
    '<![CDATA[',
    ']]>',
    '<',
    '>',
    '"',
    "'",
    '\u0000',
    '<!DOCTYPE html>',
  ),
);
// every page starts with a well-formed script whose code must never reach the stored text
const SENTINEL = 'SENTINEL_JS_CODE';
const html = fc.array(htmlPiece, { maxLength: 40 }).map((p) => `<script>var ${SENTINEL}=1</script>${p.join('')}`);

const markdown = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ maxLength: 20 }).map((s) => `${'#'.repeat(1 + (s.length % 7))} ${s}`),
      fc.constantFrom('```', '---', '> quote', '- item', '| a | b |', '\r\n', '\t', '\u2028'),
    ),
    { maxLength: 30 },
  )
  .map((l) => l.join('\n'));

const json = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc
    .array(
      fc.dictionary(
        fc.constantFrom('_id', 'id', 'title', 'text', 'body', 'name', 'x', '__proto__'),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      { maxLength: 6 },
    )
    .map((v) => JSON.stringify(v)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ data: [v, v] })),
  fc.tuple(fc.jsonValue(), fc.nat()).map(([v, n]) => {
    const s = JSON.stringify(v) ?? '';
    return s.slice(0, n % (s.length + 1)); // truncated
  }),
);
const jsonl = fc
  .array(
    fc.oneof(
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 10 }),
    ),
    { maxLength: 8 },
  )
  .map((l) => l.join('\n'));

/** A valid PDF with words, or one with bytes flipped, cut off or inserted. */
const words = fc
  .array(fc.constantFrom('glacier', 'valley', 'river', 'north', 'stone', 'Hearth'), { minLength: 1, maxLength: 6 })
  .map((w) => w.join(' '));
const pdf = fc.oneof(
  words.map((w) => ({ bytes: makePdf(w), words: w })),
  fc
    .tuple(words, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }))
    .map(([w, edits]) => {
      const bytes = makePdf(w);
      for (const [at, b] of edits) bytes[at % bytes.length] = b;
      return { bytes, words: undefined };
    }),
  fc.tuple(words, fc.nat()).map(([w, n]) => {
    const bytes = makePdf(w);
    return { bytes: bytes.slice(0, n % bytes.length), words: undefined };
  }),
  fc
    .uint8Array({ maxLength: 300 })
    .map((b) => ({ bytes: new Uint8Array([...enc('%PDF-1.7\n'), ...b]), words: undefined })),
);

/** One input for the loaders: bytes, a file name (the type) and maybe a MIME type. */
export const documents = fc.oneof(
  markdown.map((t) => ({ bytes: enc(t), name: 'notes.md' })),
  fc.string({ unit: 'binary', maxLength: 200 }).map((t) => ({ bytes: enc(t), name: 'notes.txt' })),
  html.map((t) => ({ bytes: enc(t), name: 'page.html' })),
  json.map((t) => ({ bytes: enc(t), name: 'data.json' })),
  jsonl.map((t) => ({ bytes: enc(t), name: 'corpus.jsonl' })),
  csvText.map((t) => ({ bytes: enc(t), name: 'rows.csv' })),
  pdf.map((p) => ({ bytes: p.bytes, name: 'report.pdf', words: p.words })),
  fc
    .tuple(
      fc.uint8Array({ maxLength: 200 }),
      fc.constantFrom('x.md', 'x.html', 'x.json', 'x.csv', 'x.pdf', 'x.bin', 'noext'),
      fc.constantFrom(undefined, 'text/html', 'application/pdf', 'application/json; charset=utf-8', 'image/png', ''),
    )
    .map(([bytes, name, mimeType]) => ({ bytes, name, mimeType })),
) as fc.Arbitrary<{ bytes: Uint8Array; name: string; mimeType?: string; words?: string }>;

/** One case: documents with text, or a SkipError with a known reason. */
export async function checkDocument(d: {
  bytes: Uint8Array;
  name: string;
  mimeType?: string;
  words?: string;
}): Promise<string> {
  try {
    const source = await loadBytes(d.bytes, d.name, d.mimeType);
    invariant(source.docs.length > 0, 'a source without documents');
    invariant(
      typeof source.title === 'string' && typeof source.mimeType === 'string',
      'a source without title or type',
    );
    for (const doc of source.docs) {
      invariant(typeof doc.text === 'string' && doc.text.trim().length > 0, 'an empty document kept');
      invariant(typeof doc.title === 'string', 'a document without a title');
    }
    if (d.words)
      invariant(
        source.docs[0]!.text.includes(d.words),
        `PDF text lost: "${d.words}" not in "${source.docs[0]!.text.slice(0, 100)}"`,
      );
    if (d.name.endsWith('.html'))
      invariant(!source.docs.some((x) => x.text.includes(SENTINEL)), 'script code kept as text');
    return `ok ${d.name.split('.').pop()}`;
  } catch (error) {
    return refusal(error, (e) =>
      e instanceof SkipError && REASONS.has(e.reason) ? `refused: ${e.reason}` : undefined,
    );
  }
}

/** Fuzzes the document loaders. */
export function fuzzLoaders(options: FuzzOptions) {
  return fuzz('document loaders (md, html, pdf, json, jsonl, csv)', documents, checkDocument, options);
}
