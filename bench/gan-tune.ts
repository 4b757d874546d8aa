/**
 * Tuning runs for TVAE on full UCI Adult (issue 19): one training with the settings from the
 * environment, then several sampling variants of the same model, each scored like `bench/gan.ts`
 * (quality = mean of column shapes and pair trends; F1 of ">50K" of a logistic regression trained on
 * synthetic rows, tested on the 20 % held-out real rows). One JSON line per variant.
 *
 *   GAN_TUNE=1 nice -n 10 corepack pnpm bench gan-tune
 *
 * Without GAN_TUNE=1 it is skipped, so `pnpm bench` (every area) does not train.
 * GAN_TUNE_SPLIT (0): split/model seed. GAN_TUNE_EPOCHS (50), GAN_TUNE_SECONDS (budget, 1e9),
 * GAN_TUNE_BATCH (500), GAN_TUNE_POINTS (1; 0: spikes are ordinary Gaussian modes), GAN_TUNE_CONFIG (JSON Partial<TvaeConfig>), GAN_TUNE_VARIANTS
 * (`latent:temperature:noise` list, default `posterior:0:1,posterior:1:1,prior:0:1,prior:1:1`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { initTf, seededRandom } from '@hearth/ml';
import { splitRows, subset, unconditioned } from '../packages/plugins/gan/src/augment.js';
import { type ColumnKind, inferTable } from '../packages/plugins/gan/src/data/columns.js';
import { parseCsv } from '../packages/plugins/gan/src/data/csv.js';
import { Tvae, type TvaeConfig } from '../packages/plugins/gan/src/models/tvae.js';
import { qualityReport } from '../packages/plugins/gan/src/report/report.js';
import { DataTransformer } from '../packages/plugins/gan/src/transform/transformer.js';

const DATA = new URL('../../shared/data/adult/', import.meta.url);

export async function run(): Promise<string> {
  if (process.env.GAN_TUNE !== '1') return '## gan-tune\n\nSKIPPED: tuning runs; set GAN_TUNE=1 to train.\n';
  if (!existsSync(new URL('adult.csv', DATA))) {
    return '## gan-tune\n\nSKIPPED: ../shared/data/adult/adult.csv is missing.\n';
  }
  const lines = await tune();
  return ['## gan-tune', '', '```', ...lines, '```', ''].join('\n');
}

async function tune(): Promise<string[]> {
  const env = process.env;
  const seed = Number(env.GAN_TUNE_SPLIT ?? 0);
  const epochs = Number(env.GAN_TUNE_EPOCHS ?? 50);
  const batchSize = Number(env.GAN_TUNE_BATCH ?? 500);
  const maxSeconds = Number(env.GAN_TUNE_SECONDS ?? 1e9);
  const config = JSON.parse(env.GAN_TUNE_CONFIG ?? '{}') as Partial<TvaeConfig>;
  const variants = (env.GAN_TUNE_VARIANTS ?? 'posterior:0:1,posterior:1:1,prior:0:1,prior:1:1').split(',');
  const meta = JSON.parse(readFileSync(new URL('adult.ctgan-meta.json', DATA), 'utf8')) as {
    columns: { name: string; type: string }[];
  };
  const types = Object.fromEntries(
    meta.columns.map((c) => [c.name, c.type === 'continuous' ? 'continuous' : 'discrete'] as [string, ColumnKind]),
  );
  const table = inferTable(parseCsv(readFileSync(new URL('adult.csv', DATA), 'utf8')), types);
  const target = table.columns.findIndex((c) => c.name === 'income');
  await initTf();
  const split = splitRows(table.rowCount, 0.2, seed);
  const train = subset(table, split.train);
  const holdout = subset(table, split.holdout);
  const pointModes = env.GAN_TUNE_POINTS !== '0';
  const transformer = new DataTransformer(
    { ...table, values: train.values, rowCount: train.rowCount },
    seededRandom(seed + 1),
    { pointModes },
  );
  const encoded = transformer.encode(train.values, train.rowCount, seededRandom(seed + 2));
  const model = new Tvae(transformer, seed, config);
  const load0 = loadavg()[0]!;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const fit = await model.fit(encoded, train.rowCount, { epochs, batchSize, seed, patience: 0, maxSeconds });
  const wall = (performance.now() - started) / 1000;
  const cpuUsed = process.cpuUsage(cpu0);
  const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
  const load1 = loadavg()[0]!;
  const lines: string[] = [];
  for (const v of variants) {
    const [latent, temperature, noise] = v.split(':');
    model.config.temperature = Number(temperature);
    model.config.scalarNoise = noise !== '0';
    const synth = unconditioned(model, train, target, seed, table, latent as 'prior' | 'posterior');
    const rep = qualityReport(table.columns, train, synth, { holdout, target: 'income', seed });
    const e = rep.efficacy && 'realF1' in rep.efficacy ? rep.efficacy : undefined;
    const worstPairs = [...rep.pairTrends.pairs]
      .sort((a, b) => a.score - b.score)
      .slice(0, 5)
      .map((p) => `${p.columns.join('~')} ${p.score.toFixed(3)}`);
    const line = JSON.stringify({
      split: seed,
      config,
      pointModes,
      batchSize,
      epochs: fit.epochs,
      stop: fit.stopReason,
      variant: v,
      wall: +wall.toFixed(1),
      cpu: +cpu.toFixed(1),
      load: [+load0.toFixed(1), +load1.toFixed(1)],
      quality: +rep.score.toFixed(4),
      shapes: +rep.columnShapes.score.toFixed(4),
      pairs: +rep.pairTrends.score.toFixed(4),
      f1Real: e && +e.realF1.toFixed(4),
      f1Synth: e && +e.syntheticF1.toFixed(4),
      copies: rep.privacy.exactCopyShare,
      columns: Object.fromEntries(rep.columnShapes.columns.map((c) => [c.column, +c.score.toFixed(3)])),
      worstPairs,
    });
    // Printed as it comes too, so a long run shows progress.
    console.error(line);
    lines.push(line);
  }
  model.dispose();
  return lines;
}
