import { initTf, seededRandom } from '@hearth/ml';
import { type ColumnInfo, type ColumnKind, finalizeValues, inferTable, type Table, tableRows } from './data/columns.js';
import { type CsvLimits, parseCsv, type RawTable, toCsv } from './data/csv.js';
import { Ctgan } from './models/ctgan.js';
import { shuffle, Tvae } from './models/tvae.js';
import type { EpochReport, Synthesizer } from './models/types.js';
import type { Sample } from './report/fidelity.js';
import { type QualityReport, qualityReport, type ReportPlots, reportPlots, reportSummary } from './report/report.js';
import { DataTransformer } from './transform/transformer.js';

/** What to generate and how. Every field is optional. */
export interface AugmentOptions {
  /** Synthetic rows to generate (default: as many as the input has). Ignored with `balance`. */
  rows?: number;
  /** The column to predict: used for ML efficacy in the report and for `balance`. */
  target?: string;
  /** Generate rows of the target's minority classes until every class is as frequent as the largest. */
  balance?: boolean;
  /** Only generate rows with these values (discrete columns), e.g. `{ sex: 'Female' }`. */
  conditions?: Record<string, string>;
  model?: 'tvae' | 'ctgan';
  epochs?: number;
  batchSize?: number;
  seed?: number;
  /** Column type overrides (name -> continuous | discrete | datetime | id). */
  types?: Record<string, ColumnKind>;
  /** Training time budget in seconds (default 120); training stops at the end of the epoch that passes it. */
  maxSeconds?: number;
  /** Early stopping patience in epochs (default 10; 0 disables). */
  patience?: number;
  /** Build the quality report and plots (default true). */
  report?: boolean;
  /** With `balance`: put the original rows before the synthetic ones (default true). */
  appendReal?: boolean;
  limits?: Partial<CsvLimits>;
}

/** Cancellation and progress. */
export interface AugmentHooks {
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
  onEpoch?: (report: EpochReport) => void;
}

/** Everything one run produced. */
export interface AugmentResult {
  csv: string;
  columns: { name: string; kind: ColumnKind; reason: string }[];
  dropped: string[];
  syntheticRows: number;
  outputRows: number;
  /** `seconds` is wall time; `cpuSeconds` the process CPU time of training (wasm runs on one thread). */
  training: {
    model: 'tvae' | 'ctgan';
    epochs: number;
    stoppedEarly: boolean;
    seconds: number;
    cpuSeconds: number;
    trainRows: number;
  };
  report?: QualityReport;
  plots?: ReportPlots;
  summary: string;
}

const MAX_SYNTHETIC_ROWS = 200_000;

/**
 * Parses CSV text, trains a TVAE or CTGAN on it, generates rows and (by default) a quality report.
 * The input text is never modified; the result carries a new CSV.
 */
export async function augmentCsv(
  text: string,
  options: AugmentOptions = {},
  hooks: AugmentHooks = {},
): Promise<AugmentResult> {
  const raw = parseCsv(text, options.limits);
  return augmentTable(raw, options, hooks);
}

/** {@link augmentCsv} on an already parsed CSV. */
export async function augmentTable(
  raw: RawTable,
  options: AugmentOptions = {},
  hooks: AugmentHooks = {},
): Promise<AugmentResult> {
  const progress = hooks.onProgress ?? (() => {});
  const seed = options.seed ?? 0;
  const table = inferTable(raw, options.types);
  const target = options.target === undefined ? undefined : columnIndex(table, options.target, 'target');
  if (options.balance && target === undefined)
    throw new Error('Balancing needs a target column (the class column to balance).');
  if (options.balance && table.columns[target!]!.kind !== 'discrete') {
    throw new Error(`Balancing needs a discrete target; "${options.target}" is ${table.columns[target!]!.kind}.`);
  }
  const conditions = parseConditions(table, options.conditions ?? {});
  const wanted = options.rows ?? table.rowCount;
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > MAX_SYNTHETIC_ROWS) {
    throw new Error(`rows must be an integer from 1 to ${MAX_SYNTHETIC_ROWS}; got ${wanted}.`);
  }
  if (table.rowCount < 10) throw new Error(`The CSV has ${table.rowCount} rows; at least 10 are needed to learn from.`);

  await initTf();
  // Hold real rows out for an honest efficacy and privacy baseline when a target is given.
  const split = splitRows(
    table.rowCount,
    options.report !== false && target !== undefined && table.rowCount >= 50 ? 0.2 : 0,
    seed,
  );
  const train = subset(table, split.train);
  const holdout = split.holdout.length ? subset(table, split.holdout) : undefined;

  progress(0.01, 'fitting column transforms');
  const transformer = new DataTransformer(
    { ...table, values: train.values, rowCount: train.rowCount },
    seededRandom(seed + 1),
  );
  const encoded = transformer.encode(train.values, train.rowCount, seededRandom(seed + 2));
  const kind = options.model ?? 'tvae';
  const model: Synthesizer = kind === 'ctgan' ? new Ctgan(transformer, seed) : new Tvae(transformer, seed);
  const epochs = options.epochs ?? 300;
  const maxSeconds = options.maxSeconds ?? 120;
  const started = Date.now();
  const cpuStart = process.cpuUsage();
  try {
    const fit = await model.fit(encoded, train.rowCount, {
      epochs,
      // Small tables get smaller batches, so an epoch is more than one step.
      batchSize: options.batchSize ?? Math.min(500, Math.max(50, Math.floor(train.rowCount / 8))),
      seed,
      signal: hooks.signal,
      patience: options.patience ?? 10,
      maxSeconds,
      onEpoch: (r) => {
        hooks.onEpoch?.(r);
        const byTime = (Date.now() - started) / 1000 / maxSeconds;
        const losses = Object.entries(r.losses)
          .map(([k, v]) => `${k} ${v.toFixed(3)}`)
          .join(', ');
        progress(
          0.05 + 0.8 * Math.min(1, Math.max(r.epoch / r.epochs, byTime)),
          `epoch ${r.epoch}/${r.epochs}: ${losses}`,
        );
      },
    });
    const seconds = (Date.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    progress(0.86, 'generating rows');
    const rand = seededRandom(seed + 3);
    const plan = options.balance ? balancePlan(table, target!) : [{ conditions, rows: wanted }];
    const parts = plan.map((p) => sampleRows(model, transformer.table.columns, p.rows, rand, p.conditions));
    const synth = concat(table.columns.length, parts);
    finalizeValues(table.columns, synth.values);

    const keptRaw = table.columns.map((c) => raw.columns.indexOf(c.name));
    const synthRows = tableRows(table.columns, synth.values, synth.rowCount);
    const appendReal = options.balance && options.appendReal !== false;
    const outRows = appendReal ? [...raw.rows.map((r) => keptRaw.map((k) => r[k] ?? null)), ...synthRows] : synthRows;
    const csv = toCsv(
      table.columns.map((c) => c.name),
      outRows,
      raw.missingToken,
    );

    let report: QualityReport | undefined;
    let plots: ReportPlots | undefined;
    if (options.report !== false) {
      progress(0.9, 'scoring quality');
      // Fidelity is judged on an unconditioned sample so it describes the model, not the filter.
      const plain = conditions.length || options.balance ? unconditioned(model, train.rowCount, seed, table) : synth;
      report = qualityReport(table.columns, train, plain, { holdout, target: options.target, seed });
      plots = reportPlots(table.columns, train, plain, report, options.target);
    }
    progress(1, 'done');
    const what = options.balance
      ? `Generated ${synth.rowCount} rows of the minority classes of \`${options.target}\`${appendReal ? ` and appended them to the ${raw.rows.length} original rows` : ''}.`
      : `Generated ${synth.rowCount} synthetic rows${
          conditions.length
            ? ` with ${Object.entries(options.conditions ?? {})
                .map(([k, v]) => `${k} = ${v}`)
                .join(', ')}`
            : ''
        }.`;
    const trainingLine = `${kind.toUpperCase()} trained ${fit.epochs} epochs in ${seconds.toFixed(1)} s on ${train.rowCount} rows${fit.stoppedEarly ? ' (stopped early)' : ''}.`;
    return {
      csv,
      columns: table.columns.map((c) => ({ name: c.name, kind: c.kind, reason: c.reason })),
      dropped: table.dropped.map((c) => c.name),
      syntheticRows: synth.rowCount,
      outputRows: outRows.length,
      training: {
        model: kind,
        epochs: fit.epochs,
        stoppedEarly: fit.stoppedEarly,
        seconds,
        cpuSeconds,
        trainRows: train.rowCount,
      },
      report,
      plots,
      summary: [
        what,
        trainingLine,
        table.dropped.length ? `Dropped identifier columns: ${table.dropped.map((c) => c.name).join(', ')}.` : '',
        report ? reportSummary(report) : '',
      ]
        .filter(Boolean)
        .join('\n'),
    };
  } finally {
    model.dispose();
  }
}

function columnIndex(table: Table, name: string, role: string): number {
  const j = table.columns.findIndex((c) => c.name === name);
  if (j >= 0) return j;
  if (table.dropped.some((c) => c.name === name))
    throw new Error(`The ${role} column "${name}" was dropped as an identifier; override its type.`);
  throw new Error(
    `The ${role} column "${name}" does not exist (columns: ${table.columns.map((c) => c.name).join(', ')}).`,
  );
}

type Condition = { column: number; category: number };

function parseConditions(table: Table, given: Record<string, string>): Condition[] {
  return Object.entries(given).map(([name, value]) => {
    const j = columnIndex(table, name, 'condition');
    const col = table.columns[j]!;
    if (col.kind !== 'discrete') throw new Error(`Conditions work on discrete columns; "${name}" is ${col.kind}.`);
    const category = col.categories!.indexOf(value.trim());
    if (category < 0) {
      const known = col
        .categories!.filter((c) => c !== null)
        .slice(0, 10)
        .join(', ');
      throw new Error(`"${value}" never occurs in column "${name}" (values include: ${known}).`);
    }
    return { column: j, category };
  });
}

function balancePlan(table: Table, target: number): { conditions: Condition[]; rows: number }[] {
  const counts = new Map<number, number>();
  for (const v of table.values[target]!) counts.set(v, (counts.get(v) ?? 0) + 1);
  const max = Math.max(...counts.values());
  const plan = [...counts]
    .filter(([, n]) => n < max)
    .map(([category, n]) => ({ conditions: [{ column: target, category }], rows: max - n }));
  if (plan.length === 0) throw new Error('The target column is already balanced.');
  const total = plan.reduce((a, p) => a + p.rows, 0);
  if (total > MAX_SYNTHETIC_ROWS)
    throw new Error(`Balancing would need ${total} rows; the limit is ${MAX_SYNTHETIC_ROWS}.`);
  return plan;
}

/** Generates rows; with conditions, steers the model (CTGAN) and keeps only matching rows (rejection sampling). */
function sampleRows(
  model: Synthesizer,
  columns: ColumnInfo[],
  n: number,
  rand: () => number,
  conditions: Condition[],
): Sample {
  if (conditions.length === 0) return { values: model.sample(n, rand), rowCount: n };
  const kept: Sample[] = [];
  let found = 0;
  let tried = 0;
  while (found < n) {
    const batch = Math.min(50_000, Math.max(1000, (n - found) * 4));
    const values = model.sample(batch, rand, conditions[0]);
    tried += batch;
    const rows = Array.from({ length: batch }, (_, i) => i).filter((i) =>
      conditions.every((c) => values[c.column]![i] === c.category),
    );
    const take = rows.slice(0, n - found);
    kept.push({ values: values.map((col) => Float64Array.from(take, (i) => col[i]!)), rowCount: take.length });
    found += take.length;
    if (found < n && tried > Math.max(200_000, n * 200)) {
      const what = conditions
        .map((c) => `${columns[c.column]!.name} = ${columns[c.column]!.categories![c.category]}`)
        .join(', ');
      throw new Error(
        `Only ${found} of ${n} generated rows had ${what} after ${tried} tries; that combination is too rare for the model.`,
      );
    }
  }
  return concat(columns.length, kept);
}

function unconditioned(model: Synthesizer, n: number, seed: number, table: Table): Sample {
  const s = { values: model.sample(n, seededRandom(seed + 4)), rowCount: n };
  finalizeValues(table.columns, s.values);
  return s;
}

function concat(columns: number, parts: Sample[]): Sample {
  const rowCount = parts.reduce((a, p) => a + p.rowCount, 0);
  const values = Array.from({ length: columns }, (_, j) => {
    const out = new Float64Array(rowCount);
    let at = 0;
    for (const p of parts) {
      out.set(p.values[j]!, at);
      at += p.rowCount;
    }
    return out;
  });
  return { values, rowCount };
}

/** A seeded split of row indices into training and held-out rows. */
export function splitRows(n: number, holdoutFraction: number, seed: number): { train: number[]; holdout: number[] } {
  const idx = Array.from({ length: n }, (_, i) => i);
  if (holdoutFraction <= 0) return { train: idx, holdout: [] };
  shuffle(idx, seededRandom(seed + 99));
  const h = Math.round(n * holdoutFraction);
  return { train: idx.slice(h).sort((a, b) => a - b), holdout: idx.slice(0, h).sort((a, b) => a - b) };
}

/** The rows `idx` of a table, as a sample. */
export function subset(table: Pick<Table, 'values'>, idx: number[]): Sample {
  return { values: table.values.map((col) => Float64Array.from(idx, (i) => col[i]!)), rowCount: idx.length };
}
