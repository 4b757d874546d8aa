import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { ImagePart, TextPart } from '@hearth/sdk';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

const TOOL = 'diffusion_imagine';

function number(flag: string, integer = true) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      throw new Error(`${flag} must be ${integer ? 'an integer' : 'a number'}, not "${value}"`);
    }
    return n;
  };
}

interface ImagineFlags {
  seed?: number;
  steps?: number;
  guidance?: number;
  size?: number;
  count?: number;
  negative?: string;
  backend?: string;
  out?: string;
  json?: boolean;
}

/**
 * `hearth imagine "<prompt>"`: calls the diffusion plugin's `imagine` tool through the runtime's
 * tool registry (so a configured remote image model is used, else the local models), shows the
 * denoising steps as a progress bar and writes the PNG to `--out`. Ranges are checked by the tool.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('imagine')
    .description('draw an image from a prompt (local digits/shapes model, or the configured image model)')
    .argument('<prompt>', 'e.g. "the digit 7" or "a red circle above a blue square"')
    .option('--seed <N>', 'seed for reproducible images (random if unset)', number('--seed'))
    .option('--steps <N>', 'denoising steps, 1-50 (default 20)', number('--steps'))
    .option('--guidance <G>', 'how strongly to follow the prompt, 0-20 (default 3)', number('--guidance', false))
    .option('--size <S>', 'image side in pixels, 16-1024, a multiple of 16 (default 256)', number('--size'))
    .option('--count <N>', 'number of images, 1-16, written as one grid (default 1)', number('--count'))
    .option('--negative <text>', 'what to avoid (remote models only)')
    .option('--backend <auto|local|remote>', 'auto (default): the remote model when configured')
    .option('--out <file.png>', 'where to write the PNG (default imagine-<seed>.png)')
    .option('--json', 'print the structured result as JSON')
    .action(async (prompt: string, flags: ImagineFlags) => {
      const hearth = await ctx.hearth();
      if (!hearth.registry.get(TOOL)) {
        throw new Error(
          `The diffusion plugin is not loaded (no "${TOOL}" tool); enable plugins.firstParty or add @hearth/plugin-diffusion to plugins.load.`,
        );
      }
      const input = {
        prompt,
        seed: flags.seed,
        steps: flags.steps,
        guidance: flags.guidance,
        size: flags.size,
        count: flags.count,
        negative_prompt: flags.negative,
        backend: flags.backend,
      };
      const abort = new AbortController();
      const onInt = () => abort.abort('interrupted (Ctrl-C)');
      process.once('SIGINT', onInt);
      const bar = ctx.progress('imagine');
      try {
        const result = await hearth.registry.call(TOOL, input, {
          caller: { surface: 'cli', userId: userInfo().username, roles: [], isAdmin: true },
          signal: abort.signal,
          onProgress: (fraction, message) => bar.update(Math.round(fraction * 100), 100, message),
        });
        bar.done('done');
        const image = result.content.find((p): p is ImagePart => p.type === 'image');
        const data = result.data as { seed?: number } | undefined;
        const out = resolve(flags.out ?? `imagine-${data?.seed ?? Date.now()}.png`);
        if (image) await writeFile(out, image.data);
        if (flags.json) ctx.printJson({ ...(result.data as object), file: image ? out : undefined });
        else {
          for (const part of result.content)
            if (part.type === 'text') ctx.print((part as TextPart).text.replace(/\*\*/g, ''));
          if (image) ctx.print(`Wrote ${out}`);
        }
      } catch (err) {
        bar.done('failed');
        throw err;
      } finally {
        process.off('SIGINT', onInt);
      }
    });
}
