import { readFile, writeFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { type AugmentOptions, augmentCsv, parsePairs, parseTypes } from '@hearth/plugin-gan';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

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
}

/**
 * `hearth augment <file.csv>`: trains TVAE (or CTGAN) on a CSV and writes synthetic rows to
 * `--out` (default `<file>.synthetic.csv`), the quality report to `--report` and its plots next to
 * it. The input file is only read; an output path equal to it is refused. Ctrl-C cancels training.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('augment')
    .description('generate synthetic rows for a CSV table (TVAE/CTGAN) with a quality report')
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
    .action(async (file: string, flags: AugmentFlags) => {
      const input = resolve(file);
      const out = resolve(flags.out ?? `${input.slice(0, input.length - extname(input).length)}.synthetic.csv`);
      const reportPath = flags.report ? resolve(flags.report) : undefined;
      for (const target of [out, reportPath]) {
        if (target === input)
          throw new Error(`Refusing to overwrite the input file ${file}; choose another output path.`);
      }
      const text = await readFile(input, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new Error(err.code === 'ENOENT' ? `No such file: ${file}` : `Cannot read ${file}: ${err.message}`);
      });
      const options: AugmentOptions = {
        rows: flags.rows,
        target: flags.target,
        balance: flags.balance,
        model: flags.model,
        epochs: flags.epochs,
        seed: flags.seed,
        conditions: flags.where ? parsePairs(flags.where, '=', '--where') : undefined,
        types: flags.types ? parseTypes(flags.types) : undefined,
        maxSeconds: flags.maxSeconds,
        report: Boolean(reportPath),
      };
      const abort = new AbortController();
      const onInt = () => abort.abort('interrupted (Ctrl-C)');
      process.once('SIGINT', onInt);
      const bar = ctx.progress(`augment ${basename(file)}`);
      try {
        const r = await augmentCsv(text, options, {
          signal: abort.signal,
          onProgress: (fraction, message) => bar.update(Math.round(fraction * 100), 100, message),
        });
        bar.done('done');
        await writeFile(out, r.csv);
        ctx.print(r.summary.replace(/\*\*/g, ''));
        ctx.print(`Wrote ${r.outputRows} rows to ${out}`);
        if (reportPath && r.report) {
          await writeFile(
            reportPath,
            JSON.stringify({ training: r.training, columns: r.columns, dropped: r.dropped, ...r.report }, null, 2),
          );
          ctx.print(`Wrote the quality report to ${reportPath}`);
          if (flags.plots && r.plots) {
            const stem = reportPath.replace(/\.json$/i, '');
            await writeFile(`${stem}.distributions.png`, r.plots.distributions);
            await writeFile(`${stem}.scores.png`, r.plots.scores);
            ctx.print(`Wrote plots to ${stem}.distributions.png and ${stem}.scores.png`);
          }
        }
      } catch (err) {
        bar.done('failed');
        throw err;
      } finally {
        process.off('SIGINT', onInt);
      }
    });
}
