import type { RawTable } from './csv.js';

/** How a column is modelled: numbers, categories, timestamps, or an identifier that is dropped. */
export type ColumnKind = 'continuous' | 'discrete' | 'datetime' | 'id';

/** One column's inferred (or overridden) type and what is needed to write values back. */
export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
  /** Why this kind was chosen, shown in the report. */
  reason: string;
  missingRate: number;
  /** Discrete: categories, most frequent first; `null` is the missing category. */
  categories?: (string | null)[];
  /** Continuous/datetime: observed range, integer-ness and decimals for formatting. */
  min?: number;
  max?: number;
  integer?: boolean;
  decimals?: number;
  /** Datetime: whether every value was a plain date (written back as YYYY-MM-DD). */
  dateOnly?: boolean;
}

/**
 * A typed table of the kept columns: continuous/datetime values as numbers (NaN when missing),
 * discrete values as category indices into `columns[j].categories`.
 */
export interface Table {
  columns: ColumnInfo[];
  values: Float64Array[];
  rowCount: number;
  /** Columns dropped as identifiers. */
  dropped: ColumnInfo[];
  missingToken: string;
}

/** Limits on modelled data. */
export const MAX_CATEGORIES = 200;
const DISCRETE_NUMERIC_DISTINCT = 10;

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Infers each column's kind from its values, applying `overrides` (column name -> kind) first.
 * Numbers with more than 10 distinct values are continuous, ISO dates datetime, all-unique
 * integer sequences or unique strings identifiers (dropped), the rest discrete.
 */
export function inferTable(raw: RawTable, overrides: Record<string, ColumnKind> = {}): Table {
  for (const name of Object.keys(overrides)) {
    if (!raw.columns.includes(name)) {
      throw new Error(`Type override names "${name}", which is not a column (columns: ${raw.columns.join(', ')}).`);
    }
  }
  const kept: ColumnInfo[] = [];
  const values: Float64Array[] = [];
  const dropped: ColumnInfo[] = [];
  raw.columns.forEach((name, j) => {
    const cells = raw.rows.map((r) => r[j] ?? null);
    const info = describeColumn(name, cells, overrides[name]);
    if (info.kind === 'id') {
      dropped.push(info);
      return;
    }
    kept.push(info);
    values.push(encodeColumn(info, cells));
  });
  if (kept.length === 0) throw new Error('No column is left to model: every column looks like an identifier.');
  return { columns: kept, values, rowCount: raw.rows.length, dropped, missingToken: raw.missingToken };
}

function describeColumn(name: string, cells: (string | null)[], override?: ColumnKind): ColumnInfo {
  const present = cells.filter((c): c is string => c !== null);
  const missingRate = 1 - present.length / Math.max(1, cells.length);
  const distinct = new Set(present);
  const numeric = present.length > 0 && present.every((c) => NUMBER.test(c));
  const dated = present.length > 0 && !numeric && present.every((c) => DATE.test(c) && !Number.isNaN(Date.parse(c)));
  let kind: ColumnKind;
  let reason: string;
  if (override) {
    kind = override;
    reason = 'set by override';
  } else if (present.length === 0) {
    kind = 'id';
    reason = 'every value is missing';
  } else if (numeric && distinct.size > DISCRETE_NUMERIC_DISTINCT) {
    const ints = present.every((c) => /^[-+]?\d+$/.test(c));
    const looksLikeId = ints && distinct.size === present.length && present.length > 20 && isMostlySequential(present);
    kind = looksLikeId ? 'id' : 'continuous';
    reason = looksLikeId
      ? 'unique increasing integers (an identifier)'
      : `numbers with ${distinct.size} distinct values`;
  } else if (dated) {
    kind = 'datetime';
    reason = 'ISO dates';
  } else if (!numeric && distinct.size === present.length && present.length > 20) {
    kind = 'id';
    reason = 'every value is unique text (an identifier)';
  } else {
    kind = 'discrete';
    reason = numeric ? `numbers with only ${distinct.size} distinct values` : `${distinct.size} categories`;
  }
  const info: ColumnInfo = { name, kind, reason, missingRate };
  if (kind === 'continuous' || kind === 'datetime') {
    const nums = present.map((c) => (kind === 'datetime' ? Date.parse(c) : Number(c)));
    if (nums.some((v) => !Number.isFinite(v))) {
      throw new Error(
        `Column "${name}" is set to ${kind} but has values that are not ${kind === 'datetime' ? 'dates' : 'numbers'}.`,
      );
    }
    info.min = nums.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    info.max = nums.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
    info.integer = kind === 'continuous' && present.every((c) => /^[-+]?\d+$/.test(c));
    info.decimals = kind === 'continuous' ? Math.min(6, Math.max(0, ...present.map(decimalsOf))) : 0;
    info.dateOnly = kind === 'datetime' && present.every((c) => c.length === 10);
  } else if (kind === 'discrete') {
    const counts = new Map<string | null, number>();
    for (const c of cells) counts.set(c, (counts.get(c) ?? 0) + 1);
    if (counts.size > MAX_CATEGORIES) {
      throw new Error(
        `Column "${name}" has ${counts.size} categories; the limit is ${MAX_CATEGORIES}. Override it as "id" to drop it.`,
      );
    }
    info.categories = [...counts].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  }
  return info;
}

function isMostlySequential(cells: string[]): boolean {
  const nums = cells.map(Number).sort((a, b) => a - b);
  return nums[nums.length - 1]! - nums[0]! < 2 * nums.length;
}

function decimalsOf(c: string): number {
  const m = /\.(\d+)/.exec(c);
  return m ? m[1]!.length : 0;
}

function encodeColumn(info: ColumnInfo, cells: (string | null)[]): Float64Array {
  const out = new Float64Array(cells.length);
  if (info.kind === 'discrete') {
    const index = new Map(info.categories!.map((c, i) => [c, i]));
    cells.forEach((c, i) => {
      out[i] = index.get(c)!;
    });
  } else {
    cells.forEach((c, i) => {
      out[i] = c === null ? Number.NaN : info.kind === 'datetime' ? Date.parse(c) : Number(c);
    });
  }
  return out;
}

/** Writes one modelled value back as CSV cell text (`null` for missing). */
export function formatValue(info: ColumnInfo, v: number): string | null {
  if (info.kind === 'discrete') return info.categories![v] ?? null;
  if (Number.isNaN(v)) return null;
  const clipped = Math.min(info.max!, Math.max(info.min!, v));
  if (info.kind === 'datetime') {
    const iso = new Date(Math.round(clipped)).toISOString();
    return info.dateOnly ? iso.slice(0, 10) : iso;
  }
  return info.integer ? String(Math.round(clipped)) : clipped.toFixed(info.decimals);
}

/** Rows of cell text for the kept columns of a typed table (or of synthetic values with the same layout). */
export function tableRows(columns: ColumnInfo[], values: Float64Array[], rowCount: number): (string | null)[][] {
  const rows: (string | null)[][] = [];
  for (let i = 0; i < rowCount; i++) rows.push(columns.map((c, j) => formatValue(c, values[j]![i]!)));
  return rows;
}

/** Clips synthetic numbers to the real range and rounds integer columns, in place (what the CSV will hold). */
export function finalizeValues(columns: ColumnInfo[], values: Float64Array[]): void {
  columns.forEach((c, j) => {
    if (c.kind === 'discrete') return;
    const col = values[j]!;
    const scale = c.kind === 'continuous' && !c.integer ? 10 ** (c.decimals ?? 6) : 1;
    for (let i = 0; i < col.length; i++) {
      if (Number.isNaN(col[i]!)) continue;
      const v = Math.min(c.max!, Math.max(c.min!, col[i]!));
      col[i] = c.integer || c.kind === 'datetime' ? Math.round(v) : Math.round(v * scale) / scale;
    }
  });
}
