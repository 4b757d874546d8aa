#!/usr/bin/env node
import { cliRedactor, formatFailure } from './context.js';
import { buildProgram } from './program.js';

const verboseFlag = process.argv.includes('--verbose') || process.argv.includes('-v');

/** Anything that escapes a command (a stray rejection, a crash) is printed redacted, then exit 1. */
function crash(err: unknown): never {
  process.stderr.write(formatFailure(err, cliRedactor(), verboseFlag));
  process.exit(1);
}
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

/** Entry of the `hearth` binary: run one command, print errors plainly (redacted), always close the runtime. */
async function main(): Promise<number> {
  const { program, ctx } = await buildProgram();
  try {
    await program.parseAsync(process.argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    process.stderr.write(formatFailure(err, ctx.redactor, Boolean(program.opts().verbose)));
    return 1;
  } finally {
    await ctx.close();
  }
}

main().then((code) => process.exit(code), crash);
