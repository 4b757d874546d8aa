import { join, resolve } from 'node:path';
import {
  finetune,
  type GgufPrecision,
  loadModelSource,
  PRESETS,
  type PresetName,
  pretrain,
  type TrainProgress,
  writeLlamaGguf,
} from '@hearth/core/local-models';
import type { Command } from 'commander';
import { type CliContext, onInterrupt } from '../context.js';

export function int(flag: string, min = 1) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, not "${value}"`);
    return n;
  };
}

export function num(flag: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number, not "${value}"`);
    return n;
  };
}

function preset(value: string): PresetName {
  if (!(value in PRESETS))
    throw new Error(`--preset must be one of ${Object.keys(PRESETS).join(', ')}, not "${value}"`);
  return value as PresetName;
}

function precision(value: string): GgufPrecision {
  if (value !== 'f32' && value !== 'f16' && value !== 'q8_0')
    throw new Error(`--type must be f32, f16 or q8_0, not "${value}"`);
  return value;
}

/** What {@link trainingUi} gives a training loop. */
export interface TrainingUi {
  signal: AbortSignal;
  onProgress: (p: TrainProgress) => void;
  done(message: string): void;
}

/** Progress bar updates plus Ctrl-C -> abort (the loop saves a checkpoint before returning). */
export function trainingUi(ctx: CliContext, title: string): TrainingUi {
  const bar = ctx.progress(title);
  const controller = new AbortController();
  // first Ctrl-C: stop after a checkpoint; second: leave now
  const stopListening = onInterrupt(() => (controller.signal.aborted ? process.exit(130) : controller.abort()));
  return {
    signal: controller.signal,
    onProgress: (p: TrainProgress) =>
      bar.update(
        p.step,
        p.steps,
        `loss ${p.loss.toFixed(3)}${p.valLoss ? ` val ${p.valLoss.toFixed(3)}` : ''} ${p.tokensPerSecond.toFixed(0)} tok/s`,
      ),
    done(message: string) {
      stopListening();
      bar.done(controller.signal.aborted ? `${message} (interrupted; rerun the same command to resume)` : message);
    },
  };
}

interface CommonFlags {
  steps: number;
  stopAt?: number;
  batch?: number;
  seq?: number;
  lr?: number;
  seed: number;
  out?: string;
}

/**
 * `hearth train pretrain|finetune|export`: trains a llama-architecture model in process (tfjs,
 * wasm), resumable from the checkpoint in `--out`, and exports it to GGUF for the gguf provider.
 */
export function register(program: Command, ctx: CliContext): void {
  const train = program
    .command('train')
    .description('train local language models (pretrain, finetune, export to GGUF)');
  const common = (c: Command) =>
    c
      .option('--steps <N>', 'length of the learning-rate schedule in steps', int('--steps'), 300)
      .option('--stop-at <N>', 'stop at this step (checkpointed; rerun without it to continue)', int('--stop-at'))
      .option('--batch <N>', 'sequences per step', int('--batch'))
      .option('--seq <N>', 'tokens per sequence', int('--seq'))
      .option('--lr <X>', 'peak learning rate', num('--lr'))
      .option('--seed <N>', 'random seed', int('--seed', 0), 1)
      .option('--out <dir>', 'model folder to write (and resume from)');

  common(
    train
      .command('pretrain')
      .description('pretrain a fresh model on a text corpus (default: Brown Corpus + docs/*.md)')
      .option('--preset <name>', `model size: ${Object.keys(PRESETS).join(', ')}`, preset, 'shipped')
      .option('--merges <N>', 'GPT-2 BPE merges to keep (vocab = 259 + N)', int('--merges', 0), 1000)
      .option('--docs <dir...>', 'markdown folders added to the corpus', ['docs']),
  ).action(async (flags: CommonFlags & { preset: PresetName; merges: number; docs: string[] }) => {
    const out = resolve(flags.out ?? join((await ctx.config()).dataDir, 'models', `pretrain-${flags.preset}`));
    const ui = trainingUi(ctx, 'pretrain');
    const r = await pretrain({
      outDir: out,
      preset: flags.preset,
      merges: flags.merges,
      docsDirs: flags.docs.map((d) => resolve(d)),
      steps: flags.steps,
      stopAt: flags.stopAt,
      batchSize: flags.batch,
      seqLen: flags.seq,
      learningRate: flags.lr,
      seed: flags.seed,
      checkpointEvery: 25,
      ...ui,
    });
    ui.done(`val loss ${r.valLoss.toFixed(3)}, perplexity ${r.valPerplexity.toFixed(1)}`);
    ctx.printJson({
      out,
      parameters: r.parameters,
      steps: r.steps,
      valLoss: r.valLoss,
      valPerplexity: r.valPerplexity,
      tokensPerSecond: Math.round(r.tokensPerSecond),
    });
  });

  common(
    train
      .command('finetune')
      .description('fine-tune a model on chat transcripts (JSONL lines of {"messages":[{role,content}]})')
      .requiredOption('--base <model>', 'model folder or llama GGUF to start from')
      .requiredOption('--data <chats.jsonl>', 'chat transcripts'),
  ).action(async (flags: CommonFlags & { base: string; data: string }) => {
    const out = resolve(flags.out ?? join((await ctx.config()).dataDir, 'models', 'finetuned'));
    const ui = trainingUi(ctx, 'finetune');
    const r = await finetune({
      baseDir: resolve(flags.base),
      dataPath: resolve(flags.data),
      outDir: out,
      steps: flags.steps,
      stopAt: flags.stopAt,
      batchSize: flags.batch,
      seqLen: flags.seq,
      learningRate: flags.lr,
      seed: flags.seed,
      checkpointEvery: 20,
      ...ui,
    });
    ui.done(`val loss ${r.valLoss.toFixed(3)} on held-out assistant turns`);
    ctx.printJson({
      out,
      steps: r.steps,
      valLoss: r.valLoss,
      valPerplexity: r.valPerplexity,
      tokensPerSecond: Math.round(r.tokensPerSecond),
    });
  });

  train
    .command('export')
    .description('export a model folder to GGUF (F32, F16 or Q8_0); default target is the local chat model')
    .requiredOption('--model <dir>', 'model folder (or GGUF to re-quantize)')
    .option('--type <f32|f16|q8_0>', 'precision', precision, 'q8_0')
    .option(
      '--out <file.gguf>',
      'output file (default <dataDir>/models/hearth-local.gguf, used by the `local` provider)',
    )
    .action(async (flags: { model: string; type: GgufPrecision; out?: string }) => {
      const m = loadModelSource(resolve(flags.model));
      const out = resolve(flags.out ?? join((await ctx.config()).dataDir, 'models', 'hearth-local.gguf'));
      const { mkdirSync, statSync } = await import('node:fs');
      mkdirSync(resolve(out, '..'), { recursive: true });
      writeLlamaGguf(out, m.config, m.tokenizer, m.weights, flags.type);
      ctx.printJson({ out, type: flags.type, bytes: statSync(out).size });
    });
}
