import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT, runToolCommand } from '../tools/index.js';

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
 * `hearth imagine "<prompt>"`: a short alias of the generated `hearth diffusion imagine`, kept for
 * its flags (`--negative`, `--out`). It runs the same path: the registry's `diffusion_imagine`
 * tool, its progress bar, Ctrl-C, exit codes and `--json`. Ranges are checked by the tool.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('imagine')
    .description('draw an image from a prompt (alias of hearth diffusion imagine)')
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
      const tool = hearth.registry.get(TOOL);
      if (!tool) {
        process.stderr.write(
          `hearth: the diffusion plugin is not loaded (no "${TOOL}" tool); enable plugins.firstParty or add @hearth/plugin-diffusion to plugins.load.\n`,
        );
        process.exitCode = EXIT.failed;
        return;
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
      await runToolCommand(ctx, tool, input, {
        json: flags.json,
        title: 'imagine',
        paths: (part, result) =>
          part.type === 'image'
            ? resolve(flags.out ?? `imagine-${(result.data as { seed?: number } | undefined)?.seed ?? Date.now()}.png`)
            : undefined,
      });
    });
}
