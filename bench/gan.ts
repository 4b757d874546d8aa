/**
 * GAN plugin benchmark on UCI Adult (../shared/data/adult): TVAE and CTGAN trained on 80 % of the
 * rows, scored on fidelity (SDMetrics-style quality), machine-learning efficacy (the same logistic
 * regression trained on real vs synthetic rows, binary F1 of ">50K" on the 20 % held-out real
 * rows) and privacy, against an in-process baseline that samples every column independently.
 * Small tables (GAN_BENCH_SMALL_SEEDS, default 5; 0 skips): 300-row seeded samples of Adult with the
 * plugin's defaults, each scored against 5,000 other real rows (efficacy, minority rate, exact copies).
 * Full Adult (GAN_BENCH_ADULT=0 skips): epochs: GAN_BENCH_TVAE_EPOCHS (default 50: what fits the 120 s budget on 2 cores), GAN_BENCH_CTGAN_EPOCHS (default 8; 0 skips CTGAN).
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import {
  type AugmentOptions,
  type AugmentResult,
  augmentTable,
  type ColumnKind,
  inferTable,
  mlEfficacy,
  parseCsv,
  qualityReport,
  seededRandom,
  splitRows,
  subset,
} from '../packages/plugins/gan/src/index.js';
import { shuffle } from '../packages/plugins/gan/src/models/tvae.js';

const DATA = new URL('../../shared/data/adult/', import.meta.url);
/** Full-Adult seed (split, model, sampling): GAN_BENCH_SEED, default 0. Settings were tuned on seed 0; report seed 1 too. */
const SEED = Number(process.env.GAN_BENCH_SEED ?? 0);

/** Column types from the dataset's CTGAN metadata (ordinal is modelled as discrete). */
function adultTypes(): Record<string, ColumnKind> {
  const meta = JSON.parse(readFileSync(new URL('adult.ctgan-meta.json', DATA), 'utf8')) as {
    columns: { name: string; type: string }[];
  };
  return Object.fromEntries(meta.columns.map((c) => [c.name, c.type === 'continuous' ? 'continuous' : 'discrete']));
}

interface Row {
  name: string;
  epochs: number | string;
  wall: number;
  cpu: number;
  epochMedian?: number;
  epochP95?: number;
  quality: number;
  shapes: number;
  pairs: number;
  f1Real?: number;
  f1Synth?: number;
  copies: number;
  dcr: number;
  holdoutDcr?: number;
  /** 1-minute load average when training started and ended (the 2-core machine is shared). */
  load?: [number, number];
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function trainRow(
  model: 'tvae' | 'ctgan',
  epochs: number,
  raw: ReturnType<typeof parseCsv>,
  types: Record<string, ColumnKind>,
): Promise<Row> {
  const epochTimes: number[] = [];
  const load0 = loadavg()[0]!;
  let last = performance.now();
  const r: AugmentResult = await augmentTable(
    raw,
    { model, epochs, target: 'income', types, seed: SEED, patience: 0, maxSeconds: 24 * 3600 },
    {
      onEpoch: () => {
        const now = performance.now();
        epochTimes.push((now - last) / 1000);
        last = now;
      },
    },
  );
  const rep = r.report!;
  const e = rep.efficacy && 'realF1' in rep.efficacy ? rep.efficacy : undefined;
  return {
    load: [load0, loadavg()[0]!],
    name: model.toUpperCase(),
    epochs: r.training.epochs,
    wall: r.training.seconds,
    cpu: r.training.cpuSeconds,
    epochMedian: quantile(epochTimes.slice(1), 0.5),
    epochP95: quantile(epochTimes.slice(1), 0.95),
    quality: rep.score,
    shapes: rep.columnShapes.score,
    pairs: rep.pairTrends.score,
    f1Real: e?.realF1,
    f1Synth: e?.syntheticF1,
    copies: rep.privacy.exactCopyShare,
    dcr: rep.privacy.medianDcr,
    holdoutDcr: rep.privacy.holdoutMedianDcr,
  };
}

/** Baseline: every column bootstrapped independently from the training rows (perfect marginals, no relations). */
function independentRow(raw: ReturnType<typeof parseCsv>, types: Record<string, ColumnKind>): Row {
  const table = inferTable(raw, types);
  const split = splitRows(table.rowCount, 0.2, SEED);
  const train = subset(table, split.train);
  const holdout = subset(table, split.holdout);
  const rand = seededRandom(7);
  const synth = {
    values: train.values.map((col) => Float64Array.from(col, () => col[Math.floor(rand() * col.length)]!)),
    rowCount: train.rowCount,
  };
  const rep = qualityReport(table.columns, train, synth, { holdout, target: 'income' });
  const e = rep.efficacy && 'realF1' in rep.efficacy ? rep.efficacy : undefined;
  return {
    name: 'Independent columns (baseline)',
    epochs: '-',
    wall: 0,
    cpu: 0,
    quality: rep.score,
    shapes: rep.columnShapes.score,
    pairs: rep.pairTrends.score,
    f1Real: e?.realF1,
    f1Synth: e?.syntheticF1,
    copies: rep.privacy.exactCopyShare,
    dcr: rep.privacy.medianDcr,
    holdoutDcr: rep.privacy.holdoutMedianDcr,
  };
}

const MODE_NAMES: Record<string, string> = {
  plain: 'TVAE (default: posterior latents)',
  balance: 'TVAE --balance',
  prior: 'TVAE, prior latents',
  ctgan: 'CTGAN',
};

interface SmallRow {
  seed: number;
  mode: string;
  f1Real: number;
  f1Synth: number;
  rateReal: number;
  rateSynth: number;
  copies: number;
  epochs: number;
  cpu: number;
}

/**
 * One 300-row sample: train with the plugin's defaults (plain, then balance), score the classifier
 * trained on synthetic rows against the one trained on the 300 real rows on 5,000 unseen real rows.
 */
async function smallTable(
  raw: ReturnType<typeof parseCsv>,
  types: Record<string, ColumnKind>,
  seed: number,
  modes: string[],
): Promise<SmallRow[]> {
  const order = raw.rows.map((_, i) => i);
  shuffle(order, seededRandom(1000 + seed));
  const sample = { ...raw, rows: order.slice(0, 300).map((i) => raw.rows[i]!) };
  const testRows = order.slice(300, 5300).map((i) => raw.rows[i]!);
  const out: SmallRow[] = [];
  for (const mode of modes) {
    // A wall-clock budget would measure the machine's load, not the model: CPU seconds are reported instead.
    const options: AugmentOptions = { target: 'income', types, seed, report: false, maxSeconds: 900 };
    if (mode === 'balance') options.balance = true;
    if (mode === 'ctgan') options.model = 'ctgan';
    if (mode === 'prior') options.latent = 'prior';
    const r = await augmentTable(sample, options);
    const synthRaw = parseCsv(r.csv).rows;
    const synthOnly = mode === 'balance' ? synthRaw.slice(300) : synthRaw;
    // One typed table of real train, test and synthetic rows, so categories share codes.
    const all = inferTable({ ...raw, rows: [...sample.rows, ...testRows, ...synthRaw] }, types);
    const idx = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
    const train = subset(all, idx(0, 300));
    const test = subset(all, idx(300, testRows.length));
    const synth = subset(all, idx(300 + testRows.length, synthRaw.length));
    const e = mlEfficacy(all.columns, 'income', train, synth, test);
    if (!('realF1' in e)) throw new Error(e.skipped);
    const key = (row: (string | null)[]) => row.join('\u0001');
    const realKeys = new Set(sample.rows.map(key));
    const rate = (rows: (string | null)[][]) => rows.filter((x) => x.at(-1) === '>50K').length / rows.length;
    out.push({
      seed,
      mode: MODE_NAMES[mode] ?? mode,
      f1Real: e.realF1,
      f1Synth: e.syntheticF1,
      rateReal: rate(sample.rows),
      rateSynth: rate(mode === 'balance' ? synthRaw : synthOnly),
      copies: synthOnly.filter((x) => realKeys.has(key(x))).length / synthOnly.length,
      epochs: r.training.epochs,
      cpu: r.training.cpuSeconds,
    });
    console.error(`small seed ${seed} ${mode}: F1 ${e.realF1.toFixed(3)} -> ${e.syntheticF1.toFixed(3)}`);
  }
  return out;
}

async function smallTables(raw: ReturnType<typeof parseCsv>, types: Record<string, ColumnKind>): Promise<string[]> {
  const seeds = Number(process.env.GAN_BENCH_SMALL_SEEDS ?? 5);
  if (seeds <= 0) return [];
  const modes = (process.env.GAN_BENCH_SMALL_MODES ?? 'plain,prior,balance').split(',');
  const rows: SmallRow[] = [];
  for (let seed = 1; seed <= seeds; seed++) rows.push(...(await smallTable(raw, types, seed, modes)));
  const f = (v: number, d = 3) => v.toFixed(d);
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const summary = modes.map((m) => {
    const name = MODE_NAMES[m] ?? m;
    const mine = rows.filter((r) => r.mode === name);
    const mean = (g: (r: SmallRow) => number) => mine.reduce((a, r) => a + g(r), 0) / mine.length;
    return `| **mean ${name}** | | | ${f(mean((r) => r.f1Real))} | ${f(mean((r) => r.f1Synth))} | ${f(
      mean((r) => r.f1Synth / r.f1Real),
      2,
    )} (min ${f(Math.min(...mine.map((r) => r.f1Synth / r.f1Real)), 2)}) | ${pct(mean((r) => r.rateReal))} | ${pct(mean((r) => r.rateSynth))} | ${pct(mean((r) => r.copies))} | ${f(
      mean((r) => r.cpu),
      1,
    )} |`;
  });
  return [
    '### Small tables: 300-row samples of Adult',
    '',
    "Each seed draws 300 rows of Adult (the size of a new user's CSV); the plugin trains with its defaults (300 epochs,",
    'early stopping after the minimum budget) on all 300, and both classifiers are scored on 5,000 other real rows.',
    'Rate = share of `>50K` (the minority class) in the real sample and in the written synthetic rows (with',
    '`--balance`: in the whole output, originals included). Copies = synthetic rows equal to a real row in every column.',
    '',
    '| seed | model | epochs | F1 real | F1 synthetic | synth/real | rate real | rate synthetic | exact copies | train CPU s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.seed} | ${r.mode} | ${r.epochs} | ${f(r.f1Real)} | ${f(r.f1Synth)} | ${f(r.f1Synth / r.f1Real, 2)} | ${pct(r.rateReal)} | ${pct(r.rateSynth)} | ${pct(r.copies)} | ${f(r.cpu, 1)} |`,
    ),
    ...summary,
    '',
  ];
}

export async function run(): Promise<string> {
  if (!existsSync(new URL('adult.csv', DATA))) {
    return '## gan\n\nSKIPPED: ../shared/data/adult/adult.csv is missing (the Adult benchmark needs the shared data folder).\n';
  }
  const raw = parseCsv(readFileSync(new URL('adult.csv', DATA), 'utf8'));
  const types = adultTypes();
  const small = await smallTables(raw, types);
  if (process.env.GAN_BENCH_ADULT === '0') return ['## gan', '', ...small].join('\n');
  const rows: Row[] = [independentRow(raw, types)];
  const tvaeEpochs = Number(process.env.GAN_BENCH_TVAE_EPOCHS ?? 50);
  const ctganEpochs = Number(process.env.GAN_BENCH_CTGAN_EPOCHS ?? 8);
  if (tvaeEpochs > 0) rows.push(await trainRow('tvae', tvaeEpochs, raw, types));
  if (ctganEpochs > 0) rows.push(await trainRow('ctgan', ctganEpochs, raw, types));
  const f = (v: number | undefined, d = 3) => (v === undefined ? '-' : v.toFixed(d));
  const lines = [
    '## gan',
    '',
    ...small,
    '### Full Adult',
    '',
    `UCI Adult, ${raw.rows.length} rows: models train on a seeded 80 % (${Math.round(raw.rows.length * 0.8)} rows, seed ${SEED}), efficacy is tested on the other 20 %.`,
    'Quality = mean of column shapes (KS / TV complement) and pair trends (correlation / contingency similarity), as SDMetrics.',
    'F1 = binary F1 of `>50K` of one logistic regression trained on real vs on synthetic rows. Train times: wall and process CPU',
    '(tfjs-wasm runs on one thread, so CPU seconds are what an idle machine would take; wall time depends on what else runs).',
    '',
    '| model | epochs | train wall s | train CPU s | epoch s median / p95 (wall) | quality | shapes | pairs | F1 real | F1 synthetic | synth/real | exact copies | DCR median (holdout) | load avg start / end |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.epochs} | ${f(r.wall, 1)} | ${f(r.cpu, 1)} | ${r.epochMedian === undefined ? '-' : `${f(r.epochMedian, 2)} / ${f(r.epochP95, 2)}`} | ${f(r.quality)} | ${f(r.shapes)} | ${f(r.pairs)} | ${f(r.f1Real)} | ${f(r.f1Synth)} | ${r.f1Real && r.f1Synth !== undefined ? f(r.f1Synth / r.f1Real, 2) : '-'} | ${(r.copies * 100).toFixed(2)}% | ${f(r.dcr)} (${f(r.holdoutDcr)}) | ${r.load ? `${f(r.load[0], 1)} / ${f(r.load[1], 1)}` : '-'} |`,
    ),
    '',
    'Published (different split and classifiers): F1 real 0.669, CTGAN 0.601, TVAE 0.626 (Xu et al. 2019); SDGym quality CTGAN 0.842, TVAE 0.881.',
    '',
  ];
  return lines.join('\n');
}
