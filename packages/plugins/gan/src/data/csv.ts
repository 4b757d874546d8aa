import { parse } from 'csv-parse/sync';

/** A parsed CSV: header names and rows of raw cell text, `null` where a value is missing. */
export interface RawTable {
  columns: string[];
  rows: (string | null)[][];
  /** The missing-value token seen most often (e.g. `?`), written back for missing cells. */
  missingToken: string;
}

/** Limits that keep one call bounded in memory and time. */
export interface CsvLimits {
  maxRows: number;
  maxColumns: number;
  maxBytes: number;
}

export const DEFAULT_LIMITS: CsvLimits = { maxRows: 100_000, maxColumns: 100, maxBytes: 50 * 1024 * 1024 };

/** Cell texts read as missing (after trimming), compared case-insensitively. */
export const MISSING_TOKENS = new Set(['', '?', 'na', 'n/a', 'nan', 'null', 'none']);

/**
 * Parses CSV text with a header row: quoted fields, embedded commas/newlines, surrounding spaces
 * trimmed, a BOM stripped, and missing tokens (`?`, `NA`, empty...) turned into `null`.
 * Throws a specific error for an empty file, a bad header, ragged rows or exceeded limits.
 */
export function parseCsv(text: string, limits: Partial<CsvLimits> = {}): RawTable {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > lim.maxBytes) {
    throw new Error(`The CSV is ${(bytes / 1e6).toFixed(1)} MB; the limit is ${(lim.maxBytes / 1e6).toFixed(0)} MB.`);
  }
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: false,
      delimiter: detectDelimiter(text),
    }) as string[][];
  } catch (err) {
    throw new Error(`The file is not valid CSV: ${(err as Error).message}`);
  }
  if (records.length === 0) throw new Error('The CSV is empty: it needs a header row and at least one data row.');
  const columns = records[0]!;
  if (columns.length > lim.maxColumns) {
    throw new Error(`The CSV has ${columns.length} columns; the limit is ${lim.maxColumns}.`);
  }
  const seen = new Set<string>();
  columns.forEach((name, i) => {
    if (!name) throw new Error(`Header cell ${i + 1} is empty; every column needs a name.`);
    if (seen.has(name)) throw new Error(`The header names the column "${name}" twice.`);
    seen.add(name);
  });
  const body = records.slice(1);
  if (body.length === 0) throw new Error('The CSV has a header but no data rows.');
  if (body.length > lim.maxRows) {
    throw new Error(`The CSV has ${body.length} data rows; the limit is ${lim.maxRows}. Sample it down first.`);
  }
  const tokenCounts = new Map<string, number>();
  const rows = body.map((r) =>
    r.map((cell) => {
      if (!MISSING_TOKENS.has(cell.toLowerCase())) return cell;
      tokenCounts.set(cell, (tokenCounts.get(cell) ?? 0) + 1);
      return null;
    }),
  );
  const missingToken = [...tokenCounts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  return { columns, rows, missingToken };
}

/** Picks `,`, `;` or tab from the header line (the most frequent outside quotes). */
function detectDelimiter(text: string): string {
  // count candidates outside quotes in the first record, which may span lines inside a quoted cell
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const ch of text) {
    if (ch === '"')
      quoted = !quoted; // an escaped "" toggles twice: no change
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  const [best, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
  return n > 0 ? best : ',';
}

/** Serialises rows as RFC 4180 CSV (quotes only where needed), `missing` for null cells. */
export function toCsv(columns: string[], rows: (string | number | null)[][], missing = ''): string {
  const cell = (v: string | number | null) => {
    const s = v === null ? missing : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[columns.map(cell).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n')}\n`;
}
