import { type Attachment, attachment, attachmentBytes, defineTool, type ResultPart, result } from '@hearth/sdk';
import { z } from 'zod';
import { type AugmentOptions, augmentCsv } from './augment.js';
import type { ColumnKind } from './data/columns.js';

const KINDS = ['continuous', 'discrete', 'datetime', 'id'] as const;

const input = z.object({
  file: attachment('the CSV file to learn from (header row required)').optional(),
  csv: z.string().max(20_000_000).optional().describe('CSV text, when no file is attached'),
  rows: z
    .number()
    .int()
    .min(1)
    .max(200_000)
    .optional()
    .describe('rows to write (default: as many as the input); with balance, the original rows count too'),
  target: z.string().max(200).optional().describe('column to predict: used for the efficacy score and for balance'),
  balance: z.boolean().default(false).describe("add rows of the target's minority classes until classes are even"),
  model: z.enum(['tvae', 'ctgan']).default('tvae').describe('tvae (default, faster, usually better) or ctgan'),
  epochs: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe('training epochs (default 300; early stopping only after a minimum budget; cut by max_seconds)'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0)
    .describe('random seed: same seed, same output'),
  conditions: z.string().max(500).optional().describe('only rows with these values, e.g. "sex=Female; race=White"'),
  types: z.string().max(1000).optional().describe('column type overrides, e.g. "zip:discrete, id:id, when:datetime"'),
  max_seconds: z.number().int().min(5).max(900).default(120).describe('training time budget in seconds'),
  report: z.boolean().default(true).describe('score the synthetic rows and draw plots'),
});

const output = z.object({
  syntheticRows: z.number(),
  outputRows: z.number(),
  model: z.enum(['tvae', 'ctgan']),
  epochs: z.number(),
  trainingSeconds: z.number(),
  quality: z.number().optional(),
  columnShapes: z.number().optional(),
  pairTrends: z.number().optional(),
  f1Real: z.number().optional(),
  f1Synthetic: z.number().optional(),
  exactCopyShare: z.number().optional(),
  medianDcr: z.number().optional(),
  columns: z.array(z.object({ name: z.string(), kind: z.enum(KINDS), reason: z.string() })),
  /** Identifier columns: not modelled; synthetic rows get new unique ids. */
  dropped: z.array(z.string()),
  /** Set when the real-data F1 is too weak for the synthetic one to be compared with it. */
  efficacyNote: z.string().optional(),
});

/** `gan_augment`: learn a table and generate synthetic rows, with a readable quality report. */
export const augmentTool = defineTool({
  name: 'augment',
  description: 'Generate synthetic rows for a CSV table (TVAE or CTGAN) with a quality report and plots',
  input,
  output,
  timeoutMs: 20 * 60_000,
  worker: true,
  async run(args, ctx) {
    const text = csvText(args.file, args.csv);
    const options: AugmentOptions = {
      rows: args.rows,
      target: args.target,
      balance: args.balance,
      model: args.model,
      epochs: args.epochs,
      seed: args.seed,
      conditions: args.conditions ? parsePairs(args.conditions, '=', 'conditions') : undefined,
      types: args.types ? parseTypes(args.types) : undefined,
      maxSeconds: args.max_seconds,
      report: args.report,
    };
    const r = await augmentCsv(text, options, {
      signal: ctx.signal,
      onProgress: (fraction, message) => ctx.progress(fraction, message),
    });
    const base = (args.file?.name ?? 'data.csv').replace(/\.csv$/i, '');
    const content: ResultPart[] = [result.text(r.summary), result.file(`${base}.synthetic.csv`, r.csv, 'text/csv')];
    if (r.report)
      content.push(result.file(`${base}.report.json`, JSON.stringify(r.report, null, 2), 'application/json'));
    if (r.plots) {
      content.push(result.image(r.plots.distributions, 'Real vs synthetic distributions of the main columns'));
      content.push(result.image(r.plots.scores, 'Per-column shape similarity and the overall quality score'));
    }
    const e = r.report?.efficacy && 'realF1' in r.report.efficacy ? r.report.efficacy : undefined;
    return {
      content,
      data: {
        syntheticRows: r.syntheticRows,
        outputRows: r.outputRows,
        model: r.training.model,
        epochs: r.training.epochs,
        trainingSeconds: Math.round(r.training.seconds * 10) / 10,
        quality: r.report?.score,
        columnShapes: r.report?.columnShapes.score,
        pairTrends: r.report?.pairTrends.score,
        f1Real: e?.realF1,
        f1Synthetic: e?.syntheticF1,
        exactCopyShare: r.report?.privacy.exactCopyShare,
        medianDcr: r.report?.privacy.medianDcr,
        efficacyNote: e?.weakBaseline,
        columns: r.columns,
        dropped: r.dropped,
      },
    };
  },
});

function csvText(file: Attachment | undefined, csv: string | undefined): string {
  if (file && csv) throw new Error('Give either a CSV file or CSV text, not both.');
  if (csv) return csv;
  if (!file) throw new Error('Attach a CSV file (or pass CSV text in `csv`).');
  if (file.mimeType && !/csv|text|octet-stream|excel/i.test(file.mimeType)) {
    throw new Error(`"${file.name}" is ${file.mimeType}, not a CSV file.`);
  }
  const bytes = attachmentBytes(file);
  return new TextDecoder('utf-8').decode(bytes);
}

/** Parses `a=b; c=d` (or `a:b, c:d`) into an object, with an error that names the bad part. */
export function parsePairs(text: string, sep: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text
    .split(/[;,]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = part.indexOf(sep);
    if (at <= 0) throw new Error(`Bad ${what} entry "${part}": write it as name${sep}value.`);
    out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

/** Parses `col:kind, ...` type overrides. */
export function parseTypes(text: string): Record<string, ColumnKind> {
  const pairs = parsePairs(text, ':', 'types');
  for (const [name, kind] of Object.entries(pairs)) {
    if (!(KINDS as readonly string[]).includes(kind)) {
      throw new Error(`Column "${name}" has type "${kind}"; use one of ${KINDS.join(', ')}.`);
    }
  }
  return pairs as Record<string, ColumnKind>;
}
