/** Fuzz target: the GAN plugin's CSV reader (packages/plugins/gan/src/data/csv.ts), imported as is. */
import fc from 'fast-check';
import { parseCsv } from '../../../packages/plugins/gan/src/data/csv.js';
import { type FuzzOptions, fuzz, invariant, refusal } from '../lib.js';

/** Characters that stress a CSV parser: delimiters, quotes, line ends, BOM, spaces, missing tokens. */
const cellChar = fc.constantFrom(',', ';', '\t', '"', '\n', '\r', ' ', 'a', 'b', 'é', '1', '.', '?', '\uFEFF', 'Z');
const cell = fc.oneof(
  fc.string({ unit: cellChar, maxLength: 8 }),
  fc.constantFrom('', 'NA', '?', 'null', '3.14', '-0', '1e309'),
);

/** Quotes a cell the standard way when it needs it. */
const quote = (c: string, d: string) => (/[",;\t\n\r]/.test(c) || c.includes(d) ? `"${c.replace(/"/g, '""')}"` : c);

/** A rectangular table written as CSV with one of the three delimiters the reader detects. */
const table = fc
  .record({
    cols: fc.integer({ min: 1, max: 6 }),
    rows: fc.integer({ min: 0, max: 6 }),
    delimiter: fc.constantFrom(',', ';', '\t'),
    eol: fc.constantFrom('\n', '\r\n'),
    bom: fc.boolean(),
  })
  .chain(({ cols, rows, delimiter, eol, bom }) =>
    fc
      .array(fc.array(cell, { minLength: cols, maxLength: cols }), { minLength: rows + 1, maxLength: rows + 1 })
      .map(
        (cells) =>
          (bom ? '\uFEFF' : '') + cells.map((r) => r.map((c) => quote(c, delimiter)).join(delimiter)).join(eol),
      ),
  );

/** Text: a well-formed table, arbitrary (also binary-ish) text, or a table with a random edit. */
export const csvText = fc.oneof(
  table,
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.tuple(table, fc.nat(), fc.string({ unit: cellChar, maxLength: 5 })).map(([t, at, s]) => {
    const i = t.length ? at % t.length : 0;
    return t.slice(0, i) + s + t.slice(i + 1);
  }),
);

const EXPECTED = [
  [/^The file is not valid CSV: /, 'not valid CSV'],
  [/^The CSV is empty/, 'empty'],
  [/^The CSV has a header but no data rows/, 'no rows'],
  [/^Header cell \d+ is empty/, 'empty header cell'],
  [/^The header names the column ".*" twice/s, 'duplicate column'],
  [/^The CSV has \d+ (columns|data rows)/, 'over a limit'],
] as const;

/** One case: a table whose rows all match its header, or one of the reader's specific errors. */
export function checkCsv(text: string): string {
  try {
    const t = parseCsv(text, { maxColumns: 50, maxRows: 1000 });
    invariant(t.columns.length > 0, 'a table without columns');
    invariant(new Set(t.columns).size === t.columns.length, 'duplicate column names accepted');
    invariant(
      t.columns.every((c) => typeof c === 'string' && c.length > 0),
      'an empty column name accepted',
    );
    invariant(t.rows.length > 0, 'a table without rows');
    for (const row of t.rows) {
      invariant(row.length === t.columns.length, `a row of ${row.length} cells under ${t.columns.length} columns`);
      invariant(
        row.every((c) => c === null || typeof c === 'string'),
        'a cell that is neither text nor missing',
      );
    }
    return 'ok';
  } catch (error) {
    return refusal(error, (e) => EXPECTED.find(([re]) => re.test(e.message))?.[1]);
  }
}

/** Fuzzes the CSV reader. */
export function fuzzCsv(options: FuzzOptions) {
  return fuzz('CSV reader (gan parseCsv)', csvText, checkCsv, options);
}

/** Cells the reader keeps exactly: no surrounding spaces, no missing-value token, no BOM. */
const plainCell = fc
  .string({ unit: fc.constantFrom(',', ';', '\t', '"', '\n', 'a', 'b', 'é', '1', ' '), minLength: 1, maxLength: 6 })
  .filter((c) => c.trim() === c && !['?', 'na', 'n/a', 'nan', 'null', 'none'].includes(c.toLowerCase()));

/** A table, its CSV text and the cells the reader must give back. */
export const roundTrip = fc
  .record({
    cols: fc.integer({ min: 1, max: 5 }),
    rows: fc.integer({ min: 1, max: 5 }),
    delimiter: fc.constantFrom(',', ';', '\t'),
  })
  .chain(({ cols, rows, delimiter }) =>
    fc
      .tuple(
        // header cells may hold line breaks: the delimiter is guessed from the first record, not line
        fc.uniqueArray(plainCell, { minLength: cols, maxLength: cols }),
        fc.array(fc.array(plainCell, { minLength: cols, maxLength: cols }), { minLength: rows, maxLength: rows }),
      )
      .map(([header, body]) => ({
        header,
        body,
        text: [header, ...body].map((r) => r.map((c) => quote(c, delimiter)).join(delimiter)).join('\n'),
      })),
  );

/** One case: a correctly quoted table reads back cell for cell. */
export function checkRoundTrip(t: { header: string[]; body: string[][]; text: string }): string {
  const got = parseCsv(t.text);
  invariant(
    JSON.stringify(got.columns) === JSON.stringify(t.header),
    `header ${JSON.stringify(got.columns)} read back, not ${JSON.stringify(t.header)}`,
  );
  invariant(JSON.stringify(got.rows) === JSON.stringify(t.body), 'rows read back differently');
  return 'ok';
}

/** Fuzzes the CSV reader's round trip. */
export function fuzzCsvRoundTrip(options: FuzzOptions) {
  return fuzz('CSV reader round trip', roundTrip, checkRoundTrip, options);
}
