import { resolve } from 'node:path';
import { evaluate, TRAIN_DEFAULTS, train } from '@hearth/plugin-diffusion';
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

interface TrainFlags {
  dataset: ('digits' | 'scenes')[];
  steps: number;
  batch: number;
  seed: number;
  lr: number;
  out: string;
  checkpointEvery: number;
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
 * `hearth diffusion train` reproduces the diffusion plugin's local models from a seed (weights and a
 * PNG grid of samples per checkpoint); `hearth diffusion eval` scores weights with an independent
 * classifier trained on real data. Ctrl-C stops training after the current step.
 */
export function register(program: Command, ctx: CliContext): void {
  const group = program.command('diffusion').description("train and evaluate the diffusion plugin's local models");
  group
    .command('train')
    .description('train the local digits/scenes diffusion models from scratch (seeded)')
    .option('--dataset <digits|scenes|all>', 'which model to train', datasets, ['digits', 'scenes'])
    .option('--steps <N>', 'training steps', number('--steps', { min: 1 }), 2000)
    .option('--batch <N>', 'images per step', number('--batch', { min: 1 }), TRAIN_DEFAULTS.batch)
    .option('--seed <N>', 'random seed (same seed, same weights)', number('--seed'), TRAIN_DEFAULTS.seed)
    .option('--lr <rate>', 'Adam learning rate', number('--lr', { integer: false }), TRAIN_DEFAULTS.learningRate)
    .option('--out <dir>', 'folder for <dataset>.json/.bin and the sample grids', 'diffusion-weights')
    .option(
      '--checkpoint-every <N>',
      'steps between checkpoints',
      number('--checkpoint-every', { min: 1 }),
      TRAIN_DEFAULTS.checkpointEvery,
    )
    .action(async (flags: TrainFlags) => {
      const abort = new AbortController();
      const onInt = () => abort.abort('interrupted (Ctrl-C)');
      process.once('SIGINT', onInt);
      try {
        for (const dataset of flags.dataset) {
          const bar = ctx.progress(`train ${dataset}`);
          const report = await train({
            dataset,
            steps: flags.steps,
            batch: flags.batch,
            seed: flags.seed,
            learningRate: flags.lr,
            out: resolve(flags.out, dataset),
            checkpointEvery: flags.checkpointEvery,
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
