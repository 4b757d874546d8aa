import { extname } from 'node:path';
import { loadHtml } from './html.js';
import { loadPdf } from './pdf.js';
import { loadCsv, loadJson, loadJsonl } from './structured.js';
import { type LoadedSource, SkipError } from './types.js';

export { collectFiles } from './files.js';
export { type LoadedDoc, type LoadedSource, SkipError, type SkipReason } from './types.js';
export { type FetchOptions, fetchUrl } from './url.js';

type Kind = 'markdown' | 'text' | 'html' | 'pdf' | 'json' | 'jsonl' | 'csv';

const BY_EXTENSION: Record<string, Kind> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdx': 'markdown',
  '.txt': 'text',
  '.text': 'text',
  '.rst': 'text',
  '.log': 'text',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.pdf': 'pdf',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.csv': 'csv',
};

const BY_MIME: [RegExp, Kind][] = [
  [/markdown/, 'markdown'],
  [/html/, 'html'],
  [/pdf/, 'pdf'],
  [/ndjson|jsonl|json-seq/, 'jsonl'],
  [/json/, 'json'],
  [/csv/, 'csv'],
  [/^text\//, 'text'],
];

/** The loader kind for a file name or MIME type, or undefined when unsupported. */
export function kindOf(name: string, mimeType?: string): Kind | undefined {
  const byExt = BY_EXTENSION[extname(name.split(/[?#]/)[0]).toLowerCase()];
  if (byExt) return byExt;
  const mime = mimeType?.split(';')[0].trim().toLowerCase();
  if (mime) for (const [re, kind] of BY_MIME) if (re.test(mime)) return kind;
  return undefined;
}

/** Whether bytes look like text (no NUL in the first 8 KiB). */
function looksTextual(bytes: Uint8Array): boolean {
  return !bytes.subarray(0, 8192).includes(0);
}

/**
 * Parses the bytes of a file, URL body or attachment into documents. Throws `SkipError` with the reason
 * (unsupported type, empty, parse error) instead of anything else.
 */
export async function loadBytes(bytes: Uint8Array, name: string, mimeType?: string): Promise<LoadedSource> {
  const kind = kindOf(name, mimeType);
  if (!kind) throw new SkipError('unsupported type', `no loader for ${extname(name) || mimeType || 'this file'}`);
  if (bytes.length === 0) throw new SkipError('empty', 'no content');
  const title = name.split(/[\\/]/).pop()?.split(/[?#]/)[0] || name;
  let source: LoadedSource;
  if (kind === 'pdf') source = await loadPdf(bytes, title);
  else {
    if (!looksTextual(bytes)) throw new SkipError('parse error', 'binary content in a text format');
    const text = new TextDecoder('utf-8').decode(bytes).replace(/\r\n?/g, '\n');
    if (kind === 'html') source = loadHtml(text, title);
    else if (kind === 'json') source = loadJson(text, title);
    else if (kind === 'jsonl') source = loadJsonl(text, title);
    else if (kind === 'csv') source = loadCsv(text, title);
    else {
      const heading = kind === 'markdown' ? /^#\s+(.+)$/m.exec(text)?.[1].trim() : undefined;
      source = {
        title: heading || title,
        mimeType: kind === 'markdown' ? 'text/markdown' : 'text/plain',
        docs: [{ title: heading || title, text, markdown: kind === 'markdown' }],
      };
    }
  }
  source.docs = source.docs.filter((d) => d.text.trim().length > 0);
  if (source.docs.length === 0) throw new SkipError('empty', 'no text found');
  return source;
}
