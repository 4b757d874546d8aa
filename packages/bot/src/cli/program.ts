import { readdirSync } from 'node:fs';
import { HEARTH_VERSION } from '@hearth/core';
import { Command } from 'commander';
import { type CliContext, createCliContext, type RegisterCommand } from './context.js';

/**
 * Builds the `hearth` program: global options, then every command file in ./commands (each
 * exports `register`), so command groups stay independent of each other.
 */
export async function buildProgram(): Promise<{ program: Command; ctx: CliContext }> {
  const program = new Command('hearth')
    .description('Hearth: one generative-AI assistant for your community (Discord, MCP, plugins).')
    .version(HEARTH_VERSION, '-V, --version')
    .option('-c, --config <file>', 'config file (default hearth.config.json or .ts in the current folder)')
    .option('-d, --data-dir <dir>', 'data folder (default .hearth, or HEARTH_DATA_DIR)')
    .option('-v, --verbose', 'debug logging')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  const ctx = createCliContext(program);
  const dir = new URL('./commands/', import.meta.url);
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !f.includes('.test.'))
    .sort();
  for (const file of files) {
    const mod = (await import(new URL(file, dir).href)) as { register?: RegisterCommand };
    if (typeof mod.register !== 'function') throw new Error(`CLI command file ${file} does not export register()`);
    mod.register(program, ctx);
  }
  return { program, ctx };
}
