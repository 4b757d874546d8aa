import { extname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { attachmentFromPath } from '../tools/flags.js';
import { EXIT, runToolCommand } from '../tools/index.js';

const TOOL = 'gan_augment';

function positiveInt(flag: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer, not "${value}"`);
    return n;
  };
}

function model(value: string): 'tvae' | 'ctgan' {
  if (value !== 'tvae' && value !== 'ctgan') throw new Error(`--model must be tvae or ctgan, not "${value}"`);
  return value;
}

interface AugmentFlags {
  rows?: number;
  target?: string;
  balance?: boolean;
  model: 'tvae' | 'ctgan';
  epochs?: number;
  seed: number;
  out?: string;
  report?: string;
  where?: string;
  types?: string;
  maxSeconds: number;
  plots: boolean;
  json?: boolean;
}

/**
 * `hearth augment <file.csv>`: a short alias of the generated `hearth gan augment`, kept for its
 * flags. It calls the registry's `gan_augment` tool (progress bar, Ctrl-C, exit codes) and writes
 * the synthetic rows to `--out` (default `<file>.synthetic.csv`), the report to `--report` and
 * its plots next to it. The input file is only read; an output path equal to it is refused.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('augment')
    .description('generate synthetic rows for a CSV table (alias of hearth gan augment)')
    .argument('<file.csv>', 'the CSV to learn from (header row required)')
    .option('--rows <N>', 'synthetic rows to generate (default: as many as the input)', positiveInt('--rows'))
    .option('--target <COL>', 'column to predict: efficacy score in the report, and what --balance balances')
    .option('--balance', "add rows of the target's minority classes until every class is as frequent as the largest")
    .option('--model <tvae|ctgan>', 'tvae (default) or ctgan', model, 'tvae')
    .option('--epochs <N>', 'training epochs (default 300, cut by --max-seconds)', positiveInt('--epochs'))
    .option('--seed <N>', 'random seed (same seed, same rows)', positiveInt('--seed'), 0)
    .option('--out <synth.csv>', 'where to write the rows (default <file>.synthetic.csv)')
    .option('--report <report.json>', 'where to write the quality report JSON (plots go next to it as PNG)')
    .option('--where <col=value;...>', 'only generate rows with these values (discrete columns)')
    .option('--types <col:kind,...>', 'column type overrides: continuous, discrete, datetime or id')
    .option('--max-seconds <N>', 'training time budget in seconds', positiveInt('--max-seconds'), 120)
    .option('--no-plots', 'do not write PNG plots')
    .option('--json', 'print the structured result as JSON')
    .action(async (file: string, flags: AugmentFlags) => {
      const input = resolve(file);
      const out = resolve(flags.out ?? `${input.slice(0, input.length - extname(input).length)}.synthetic.csv`);
      const reportPath = flags.report ? resolve(flags.report) : undefined;
      for (const target of [out, reportPath]) {
        if (target === input)
          throw new Error(`Refusing to overwrite the input file ${file}; choose another output path.`);
      }
      const hearth = await ctx.hearth();
      const tool = hearth.registry.get(TOOL);
      if (!tool) {
        process.stderr.write(
          `hearth: the GAN plugin is not loaded (no "${TOOL}" tool); enable plugins.firstParty or add @hearth/plugin-gan to plugins.load.\n`,
        );
        process.exitCode = EXIT.failed;
        return;
      }
      const stem = reportPath?.replace(/\.json$/i, '');
      const plots = ['distributions', 'scores'];
      let image = 0;
      await runToolCommand(
        ctx,
        tool,
        {
          file: attachmentFromPath(input),
          rows: flags.rows,
          target: flags.target,
          balance: flags.balance,
          model: flags.model,
          epochs: flags.epochs,
          seed: flags.seed,
          conditions: flags.where,
          types: flags.types,
          max_seconds: flags.maxSeconds,
          report: Boolean(reportPath),
        },
        {
          json: flags.json,
          title: 'augment',
          paths: (part) => {
            if (part.type === 'file') return part.name.endsWith('.report.json') ? (reportPath ?? null) : out;
            const plot = plots[image++];
            return stem && flags.plots && plot ? `${stem}.${plot}.png` : null;
          },
        },
      );
    });
}
