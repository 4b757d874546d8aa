import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AdapterStore, LORA_TARGETS, trainAdapter } from '@hearth/core/local-models';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { int, num, trainingUi } from './train.js';

function targets(value: string): (typeof LORA_TARGETS)[number][] {
  const list = value.split(',').map((s) => s.trim());
  for (const t of list)
    if (!(LORA_TARGETS as readonly string[]).includes(t))
      throw new Error(`--targets: "${t}" is not one of ${LORA_TARGETS.join(', ')}`);
  return list as (typeof LORA_TARGETS)[number][];
}

function layers(value: string): number[] {
  return value.split(',').map((s) => int('--layers', 0)(s.trim()));
}

/** The default base for adapters: the user's own local model, else the shipped one. */
async function defaultBase(dataDir: string): Promise<string> {
  const own = join(dataDir, 'models', 'hearth-local.gguf');
  if (existsSync(own)) return own;
  const { SHIPPED_MODEL_PATH } = await import('@hearth/core/providers/gguf');
  return SHIPPED_MODEL_PATH;
}

/**
 * `hearth adapters train|list|use`: LoRA adapters over the local model, stored as GGUF in
 * `<dataDir>/adapters/` and applied per request by the gguf provider (the base is never reloaded).
 */
export function register(program: Command, ctx: CliContext): void {
  const adapters = program
    .command('adapters')
    .description('LoRA adapters for the local model (train, list, use per guild)');

  adapters
    .command('train')
    .description('train a LoRA adapter on chat transcripts (base weights frozen) and export it as GGUF')
    .argument('<name>', 'adapter name (letters, digits, - and _)')
    .requiredOption('--data <chats.jsonl>', 'JSONL lines of {"messages":[{role,content}]}')
    .option('--base <model>', 'base model folder or GGUF (default: the local model)')
    .option('--rank <N>', 'LoRA rank', int('--rank'), 8)
    .option('--alpha <X>', 'LoRA alpha (scale = alpha / rank)', num('--alpha'), 16)
    .option('--targets <list>', `projections to adapt: ${LORA_TARGETS.join(',')}`, targets, ['attn_q', 'attn_v'])
    .option('--layers <list>', 'layer indices to adapt (default all)', layers)
    .option('--steps <N>', 'training steps', int('--steps'), 100)
    .option('--batch <N>', 'sequences per step', int('--batch'), 4)
    .option('--lr <X>', 'learning rate', num('--lr'), 5e-3)
    .option('--seed <N>', 'random seed', int('--seed', 0), 1)
    .action(
      async (
        name: string,
        flags: {
          data: string;
          base?: string;
          rank: number;
          alpha: number;
          targets: (typeof LORA_TARGETS)[number][];
          layers?: number[];
          steps: number;
          batch: number;
          lr: number;
          seed: number;
        },
      ) => {
        const { dataDir } = await ctx.config();
        const store = new AdapterStore(dataDir);
        const outPath = store.pathOf(name);
        const ui = trainingUi(ctx, `adapter ${name}`);
        const r = await trainAdapter({
          baseDir: resolve(flags.base ?? (await defaultBase(dataDir))),
          dataPath: resolve(flags.data),
          outPath,
          lora: { rank: flags.rank, alpha: flags.alpha, targets: flags.targets, layers: flags.layers },
          steps: flags.steps,
          batchSize: flags.batch,
          learningRate: flags.lr,
          seed: flags.seed,
          checkpointEvery: 20,
          ...ui,
        });
        ui.done(`val loss ${r.valLoss.toFixed(3)}`);
        ctx.printJson({ name, path: outPath, loraParameters: r.loraParameters, steps: r.steps, valLoss: r.valLoss });
      },
    );

  adapters
    .command('list')
    .description('list adapters and the guilds using them')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const list = new AdapterStore((await ctx.config()).dataDir).list();
      if (flags.json) return ctx.printJson(list);
      if (list.length === 0) return ctx.print('no adapters yet: hearth adapters train <name> --data chats.jsonl');
      for (const a of list)
        ctx.print(
          `${a.name}\t${(a.bytes / 1024).toFixed(0)} KiB\t${a.usedBy.length ? `used by ${a.usedBy.join(', ')}` : 'unused'}`,
        );
    });

  adapters
    .command('use')
    .description('give a guild (or, without --guild, every guild by default) an adapter; "none" removes it')
    .argument('<name>', 'adapter name, or none')
    .option('--guild <id>', 'Discord guild id')
    .action(async (name: string, flags: { guild?: string }) => {
      const store = new AdapterStore((await ctx.config()).dataDir);
      store.use(name === 'none' ? null : name, flags.guild ?? 'default');
      ctx.print(
        name === 'none'
          ? `${flags.guild ?? 'default'}: no adapter`
          : `${flags.guild ?? 'default'} now uses adapter ${name}`,
      );
    });
}
