/**
 * Trains a local diffusion model from scratch, seeded, writing the EMA weights and a PNG grid of
 * samples at every checkpoint. `hearth diffusion train` and the weights shipped in assets/ use it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { initTf, seededRandom, type tf } from '@hearth/ml';
import { encodePng, fromFloats, grid, upscaleNearest } from '@hearth/ml/image';
import { type DatasetName, datasetByName, defaultConfig, promptWords } from './data/datasets.js';
import { sample } from './diffusion/sampler.js';
import { Trainer } from './diffusion/train-step.js';
import { encodeWords, VOCABULARY } from './model/text.js';
import { UNet, type UNetConfig } from './model/unet.js';
import { loadWeights, saveWeights } from './model/weights.js';

/** Hyperparameters of the shipped weights (their steps are in each weights file's `training.command`). */
export const TRAIN_DEFAULTS = { batch: 16, seed: 1, learningRate: 1.5e-3, checkpointEvery: 250 } as const;

export interface TrainOptions {
  dataset: DatasetName;
  steps: number;
  batch: number;
  seed: number;
  learningRate: number;
  /** Weights path without extension; `<out>.json` + `<out>.bin`, grids as `<out>-step<N>.png`. */
  out: string;
  checkpointEvery: number;
  /** Overrides of the default model shape (tests use tiny ones). */
  config?: Partial<UNetConfig>;
  /**
   * Start from these weights (`<base>` of a `.json/.bin` pair, e.g. the shipped scenes model to
   * fine-tune it into the object model) instead of a seeded initialisation; their shape is used.
   */
  init?: string;
  /** Samples per grid row and DDIM steps for the checkpoint grids. */
  gridColumns?: number;
  gridSteps?: number;
  signal?: AbortSignal;
  onStep?(step: number, total: number, loss: number): void;
  onCheckpoint?(info: { step: number; weights: string; grid: string }): void;
}

export interface TrainReport {
  steps: number;
  finalLoss: number;
  stepsPerSecond: number;
  params: number;
  weights: string;
}

export async function train(options: TrainOptions): Promise<TrainReport> {
  await initTf();
  const dataset = datasetByName(options.dataset);
  const start = options.init ? await loadWeights(options.init) : undefined;
  const config = start ? start.manifest.config : { ...defaultConfig(dataset, VOCABULARY.length), ...options.config };
  const model = new UNet(config, options.seed);
  if (start) model.params.assign(start.values);
  const rand = seededRandom(options.seed + 1);
  const trainer = new Trainer(model, rand, options.learningRate);
  await mkdir(dirname(options.out), { recursive: true });
  const params = model.params.count();
  let lossAvg = Number.NaN;
  const started = performance.now();
  let step = 0;
  try {
    for (step = 1; step <= options.steps; step++) {
      if (options.signal?.aborted) throw new Error('training was cancelled');
      const loss = await trainer.step(dataset.batch(rand, options.batch, config.maxTokens));
      lossAvg = Number.isNaN(lossAvg) ? loss : 0.98 * lossAvg + 0.02 * loss;
      options.onStep?.(step, options.steps, lossAvg);
      if (step % options.checkpointEvery === 0 || step === options.steps) {
        const training = {
          seed: options.seed,
          steps: step,
          batch: options.batch,
          learningRate: options.learningRate,
          ema: trainer.emaDecay,
          conditionDropout: trainer.conditionDropout,
          loss: Number(lossAvg.toFixed(5)),
          ...(start ? { init: start.manifest.training.command } : {}),
          command: `hearth diffusion train --dataset ${options.dataset} --steps ${step} --batch ${options.batch} --seed ${options.seed} --lr ${options.learningRate}${options.init ? ` --init ${options.init}` : ''}`,
        };
        await saveWeights(options.out, { dataset: dataset.name, config, training }, trainer.ema);
        const gridPath = `${options.out}-step${step}.png`;
        await writeFile(gridPath, await checkpointGrid(model, trainer, dataset.gridPrompts, options));
        options.onCheckpoint?.({ step, weights: options.out, grid: gridPath });
      }
    }
  } finally {
    for (const v of trainer.ema.values()) v.dispose();
    model.params.dispose();
    trainer.optimizer.dispose();
  }
  return {
    steps: options.steps,
    finalLoss: lossAvg,
    stepsPerSecond: options.steps / ((performance.now() - started) / 1000),
    params,
    weights: options.out,
  };
}

/** Samples each grid prompt with the EMA weights (swapped in temporarily). */
async function checkpointGrid(
  model: UNet,
  trainer: Trainer,
  prompts: string[],
  options: TrainOptions,
): Promise<Uint8Array> {
  const columns = options.gridColumns ?? 8;
  const { maxTokens, size, channels } = model.config;
  const backup = new Map<string, tf.Tensor>();
  for (const [name, v] of model.params.vars) {
    backup.set(name, v.clone());
    v.assign(trainer.ema.get(name)!);
  }
  try {
    const tokens = new Int32Array(prompts.length * columns * maxTokens);
    prompts.forEach((p, r) => {
      const ids = encodeWords(promptWords(p), maxTokens);
      for (let c = 0; c < columns; c++) tokens.set(ids, (r * columns + c) * maxTokens);
    });
    const count = prompts.length * columns;
    const values = await sample(model, {
      tokens,
      count,
      steps: options.gridSteps ?? 20,
      guidance: 3,
      seed: options.seed,
    });
    const images = fromFloats(values, count, size, channels as 1 | 3).map((im) => upscaleNearest(im, 4));
    return encodePng(grid(images, { columns }));
  } finally {
    for (const [name, v] of model.params.vars) v.assign(backup.get(name)!);
    for (const t of backup.values()) t.dispose();
  }
}
