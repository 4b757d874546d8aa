import { parse as parseCsv } from 'csv-parse/sync';
import { type LoadedDoc, type LoadedSource, SkipError } from './types.js';

const ID_KEYS = ['_id', 'id', 'doc_id', 'docid'];
const TITLE_KEYS = ['title', 'name', 'heading'];
const TEXT_KEYS = ['text', 'content', 'body', 'contents', 'passage'];

function pick(record: Record<string, unknown>, keys: string[]): unknown {
  for (const key of keys)
    if (record[key] !== undefined && record[key] !== null && record[key] !== '') return record[key];
  return undefined;
}

/** One record to a document: BEIR `{_id,title,text}` keeps its id; other objects become `key: value` lines. */
function recordToDoc(record: unknown, fallbackTitle: string): LoadedDoc | undefined {
  if (record === null || record === undefined) return undefined;
  if (typeof record !== 'object' || Array.isArray(record)) {
    const text = typeof record === 'string' ? record : JSON.stringify(record);
    return text.trim() ? { title: fallbackTitle, text, markdown: false } : undefined;
  }
  const obj = record as Record<string, unknown>;
  const id = pick(obj, ID_KEYS);
  const title = pick(obj, TITLE_KEYS);
  const body = pick(obj, TEXT_KEYS);
  const text =
    body !== undefined
      ? String(body)
      : Object.entries(obj)
          .filter(([k, v]) => !ID_KEYS.includes(k) && !TITLE_KEYS.includes(k) && v !== null && v !== '')
          .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join('\n');
  if (!text.trim() && !title) return undefined;
  return {
    docId: id === undefined ? undefined : String(id),
    // A record with a title field keeps it even when empty (BEIR corpora), so no made-up title reaches BM25.
    title: title !== undefined ? String(title) : typeof obj.title === 'string' ? obj.title : fallbackTitle,
    text,
    markdown: false,
  };
}

function toSource(records: unknown[], title: string, mimeType: string): LoadedSource {
  const docs = records
    .map((r, i) => recordToDoc(r, `${title} #${i + 1}`))
    .filter((d): d is LoadedDoc => d !== undefined);
  return { title, mimeType, docs };
}

/** JSON: an array of records, a `{data|documents|items: [...]}` wrapper, or one object. */
export function loadJson(text: string, title: string): LoadedSource {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SkipError('parse error', `invalid JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(value)) return toSource(value, title, 'application/json');
  if (value && typeof value === 'object') {
    for (const key of ['data', 'documents', 'items', 'records']) {
      const inner = (value as Record<string, unknown>)[key];
      if (Array.isArray(inner)) return toSource(inner, title, 'application/json');
    }
  }
  return toSource([value], title, 'application/json');
}

/** JSON Lines, one record per line (BEIR corpus layout keeps `_id`). */
export function loadJsonl(text: string, title: string): LoadedSource {
  const records: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      records.push(JSON.parse(line));
    } catch (error) {
      throw new SkipError('parse error', `line ${i + 1}: ${(error as Error).message}`);
    }
  }
  return toSource(records, title, 'application/x-ndjson');
}

/** CSV with a header row; each row becomes a document. */
export function loadCsv(text: string, title: string): LoadedSource {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: true });
  } catch (error) {
    throw new SkipError('parse error', `invalid CSV: ${(error as Error).message}`);
  }
  return toSource(rows, title, 'text/csv');
}
