import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

function number(flag: string, { integer = true, min = 0 } = {}) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min) {
      throw new Error(`${flag} must be ${integer ? 'an integer' : 'a number'} >= ${min}, not "${value}"`);
    }
    return n;
  };
}

function datasets(value: string): ('digits' | 'scenes')[] {
  if (value === 'all') return ['digits', 'scenes'];
  if (value === 'digits' || value === 'scenes') return [value];
  throw new Error(`--dataset must be digits, scenes or all, not "${value}"`);
}

/** Training also knows `objects`: the single-object model the scene layout stage draws each object with. */
function trainDatasets(value: string): TrainDataset[] {
  if (value === 'objects') return ['objects'];
  if (value === 'all') return ['digits', 'scenes'];
  if (value === 'digits' || value === 'scenes') return [value];
  throw new Error(`--dataset must be digits, scenes, objects or all, not "${value}"`);
}

type TrainDataset = 'digits' | 'scenes' | 'objects';

interface TrainFlags {
  dataset: TrainDataset[];
  init?: string;
  steps: number;
  batch?: number;
  seed?: number;
  lr?: number;
  out: string;
  checkpointEvery?: number;
}

interface EvalFlags {
  dataset: ('digits' | 'scenes')[];
  weights?: string;
  samples: number;
  steps: number;
  guidance: number;
  seed: number;
  classifierSteps: number;
  json?: boolean;
}

/**
 * The part of the diffusion plugin's training API (not a tool) these commands use, declared here
 * so the bot has no compile-time dependency on the plugin either.
 */
interface DiffusionTraining {
  TRAIN_DEFAULTS: { batch: number; seed: number; learningRate: number; checkpointEvery: number };
  train(o: {
    dataset: TrainDataset;
    /** Start from these weights (`<dir>/<name>`, without extension) instead of from scratch. */
    init?: string;
    steps: number;
    batch: number;
    seed: number;
    learningRate: number;
    out: string;
    checkpointEvery: number;
    signal: AbortSignal;
    onStep: (step: number, total: number, loss: number) => void;
    onCheckpoint: (c: { step: number; grid: string }) => void;
  }): Promise<{ finalLoss: number; params: number; steps: number; stepsPerSecond: number; weights: string }>;
  evaluate(o: {
    dataset: 'digits' | 'scenes';
    weightsDir?: string;
    samples: number;
    steps: number;
    guidance: number;
    seed: number;
    classifierSteps: number;
    onProgress: (message: string) => void;
  }): Promise<{
    recognised: number;
    realRecognised: number;
    samples: number;
    frechet: number;
    frechetRealVsReal: number;
    steps: number;
    guidance: number;
    seconds: number;
    attributes?: Record<string, { generated: number; real: number }>;
  }>;
}
const PACKAGE = '@hearth/plugin-diffusion';

/**
 * Loaded on use, by name: the bot does not depend on any plugin, and `hearth diffusion imagine`
 * (generated from the registry) works the same without these development commands.
 */
async function training(): Promise<DiffusionTraining> {
  try {
    return (await import(PACKAGE)) as DiffusionTraining;
  } catch (err) {
    throw new Error(
      `hearth diffusion train/eval need the ${PACKAGE} package installed next to Hearth: ${(err as Error).message}`,
    );
  }
}

/**
 * `hearth diffusion train` reproduces the diffusion plugin's local models from a seed (weights and a
 * PNG grid of samples per checkpoint); `hearth diffusion eval` scores weights with an independent
 * classifier trained on real data. Ctrl-C stops training after the current step.
 */
export function register(program: Command, ctx: CliContext): void {
  const group = program.command('diffusion').description("train and evaluate the diffusion plugin's local models");
  group
    .command('train')
    .description('train the local digits/scenes/objects diffusion models (seeded; from scratch unless --init)')
    .option('--dataset <digits|scenes|objects|all>', 'which model to train', trainDatasets, ['digits', 'scenes'])
    .option('--init <weights>', 'start from these weights: <dir>/<name>, e.g. packages/plugins/diffusion/assets/scenes')
    .option('--steps <N>', 'training steps', number('--steps', { min: 1 }), 2000)
    .option('--batch <N>', "images per step (default: the plugin's)", number('--batch', { min: 1 }))
    .option('--seed <N>', "random seed, same seed same weights (default: the plugin's)", number('--seed'))
    .option('--lr <rate>', "Adam learning rate (default: the plugin's)", number('--lr', { integer: false }))
    .option('--out <dir>', 'folder for <dataset>.json/.bin and the sample grids', 'diffusion-weights')
    .option(
      '--checkpoint-every <N>',
      "steps between checkpoints (default: the plugin's)",
      number('--checkpoint-every', { min: 1 }),
    )
    .action(async (flags: TrainFlags) => {
      const { train, TRAIN_DEFAULTS } = await training();
      const abort = new AbortController();
      const onInt = () => abort.abort('interrupted (Ctrl-C)');
      process.once('SIGINT', onInt);
      try {
        for (const dataset of flags.dataset) {
          const bar = ctx.progress(`train ${dataset}`);
          const report = await train({
            dataset,
            ...(flags.init ? { init: resolve(flags.init) } : {}),
            steps: flags.steps,
            batch: flags.batch ?? TRAIN_DEFAULTS.batch,
            seed: flags.seed ?? TRAIN_DEFAULTS.seed,
            learningRate: flags.lr ?? TRAIN_DEFAULTS.learningRate,
            out: resolve(flags.out, dataset),
            checkpointEvery: flags.checkpointEvery ?? TRAIN_DEFAULTS.checkpointEvery,
            signal: abort.signal,
            onStep: (step, total, loss) => bar.update(step, total, `loss ${loss.toFixed(4)}`),
            onCheckpoint: ({ step, grid }) => bar.update(step, flags.steps, `checkpoint: ${grid}`),
          });
          bar.done(`loss ${report.finalLoss.toFixed(4)}`);
          ctx.print(
            `${dataset}: ${report.params} parameters, ${report.steps} steps at ${report.stepsPerSecond.toFixed(2)} steps/s; weights ${report.weights}.json/.bin`,
          );
        }
      } finally {
        process.off('SIGINT', onInt);
      }
    });
  group
    .command('eval')
    .description('score weights: share of samples an independent classifier recognises, Fréchet distance')
    .option('--dataset <digits|scenes|all>', 'which model to score', datasets, ['digits', 'scenes'])
    .option('--weights <dir>', 'folder with <dataset>.json/.bin (default: the shipped weights)')
    .option('--samples <N>', 'generated samples', number('--samples', { min: 2 }), 200)
    .option('--steps <N>', 'DDIM steps', number('--steps', { min: 1 }), 20)
    .option('--guidance <G>', 'classifier-free guidance scale', number('--guidance', { integer: false }), 3)
    .option('--seed <N>', 'random seed', number('--seed'), 1)
    .option(
      '--classifier-steps <N>',
      'training steps of the judging classifier',
      number('--classifier-steps', { min: 1 }),
      2000,
    )
    .option('--json', 'print the reports as JSON')
    .action(async (flags: EvalFlags) => {
      const { evaluate } = await training();
      const reports = [];
      for (const dataset of flags.dataset) {
        const bar = ctx.progress(`eval ${dataset}`);
        const report = await evaluate({
          dataset,
          weightsDir: flags.weights ? resolve(flags.weights) : undefined,
          samples: flags.samples,
          steps: flags.steps,
          guidance: flags.guidance,
          seed: flags.seed,
          classifierSteps: flags.classifierSteps,
          onProgress: (message) => bar.update(0, 0, message),
        });
        bar.done('done');
        reports.push(report);
        if (!flags.json) {
          ctx.print(
            `${dataset}: ${(report.recognised * 100).toFixed(1)}% of ${report.samples} samples recognised as asked (real held-out: ${(report.realRecognised * 100).toFixed(1)}%); Fréchet distance ${report.frechet.toFixed(3)} (real vs real ${report.frechetRealVsReal.toFixed(3)}); ${report.steps} DDIM steps, guidance ${report.guidance}, ${report.seconds.toFixed(0)} s`,
          );
          for (const [name, a] of Object.entries(report.attributes ?? {}))
            ctx.print(
              `  ${name}: ${(a.generated * 100).toFixed(1)}% right in generated, ${(a.real * 100).toFixed(1)}% in real`,
            );
        }
      }
      if (flags.json) ctx.printJson(reports);
    });
}
