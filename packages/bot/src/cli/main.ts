#!/usr/bin/env node
import { Redactor } from '@hearth/core';
import { HearthError } from '@hearth/sdk';
import { buildProgram } from './program.js';

/** Entry of the `hearth` binary: run one command, print errors plainly, always close the runtime. */
async function main(): Promise<number> {
  const { program, ctx } = await buildProgram();
  try {
    await program.parseAsync(process.argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const verbose = Boolean(program.opts().verbose);
    const message =
      err instanceof HearthError || !(err instanceof Error) ? String((err as Error).message ?? err) : err.message;
    const redactor = new Redactor();
    redactor.add(
      process.env.HF_TOKEN,
      process.env.OPENAI_API_KEY,
      process.env.DISCORD_TOKEN,
      process.env.HEARTH_MCP_TOKEN,
    );
    process.stderr.write(`hearth: ${redactor.redact(message)}\n`);
    if (verbose && err instanceof Error && err.stack) process.stderr.write(`${redactor.redact(err.stack)}\n`);
    return 1;
  } finally {
    await ctx.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`hearth: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
