import { readdirSync } from 'node:fs';
import { HEARTH_VERSION } from '@hearth/core';
import { Command } from 'commander';
import { type CliContext, createCliContext, type RegisterCommand } from './context.js';
import { addToolCommands, registerToolsList } from './tools/index.js';

/**
 * Builds the `hearth` program: global options, then every command file in ./commands (each
 * exports `register`), so command groups stay independent of each other. When `argv` names a
 * command that is not hand-written (`hearth poll create`), the runtime is started and a command
 * is generated for every plugin and external MCP tool (see ./tools).
 */
export async function buildProgram(argv: string[] = process.argv): Promise<{ program: Command; ctx: CliContext }> {
  const program = new Command('hearth')
    .description('Hearth: one generative-AI assistant for your community (Discord, MCP, plugins).')
    .version(HEARTH_VERSION, '-V, --version')
    .option('-c, --config <file>', 'config file (default hearth.config.json or .ts in the current folder)')
    .option('-d, --data-dir <dir>', 'data folder (default .hearth, or HEARTH_DATA_DIR)')
    .option('-v, --verbose', 'debug logging')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true })
    // plugin tools are generated only when named (loading plugins would slow every --help): say so
    .addHelpText(
      'after',
      '\nEvery plugin tool is a command too: hearth <plugin> <tool> [flags] (e.g. hearth gan augment --help).\n' +
        '`hearth tools list` lists them all with their Discord and MCP names (it loads the plugins first).',
    );
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
  registerToolsList(program, ctx);
  if (wantsToolCommands(program, argv.slice(2))) addToolCommands(program, ctx, (await ctx.hearth()).registry);
  return { program, ctx };
}

/** Global options that take a value: their value is not a command word. */
const VALUE_OPTIONS = new Set(['-c', '--config', '-d', '--data-dir']);

/**
 * True when the words name no hand-written command (or a hand-written group without that
 * subcommand, as `hearth diffusion imagine`): only then is the runtime started to generate tool
 * commands, so `hearth --help` and the built-in commands stay fast.
 */
export function wantsToolCommands(program: Command, args: string[]): boolean {
  const words: string[] = [];
  for (let i = 0; i < args.length && words.length < 2; i++) {
    const a = args[i]!;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) words.push(a);
  }
  const [first, second] = words;
  if (!first || first === 'help') return false;
  const command = program.commands.find((c) => c.name() === first || c.aliases().includes(first));
  if (!command) return true;
  if (!second || !command.commands.length) return false;
  return !command.commands.some((c) => c.name() === second || c.aliases().includes(second));
}
