import type { RegisteredTool, ToolRegistry } from '@hearth/core';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { addFieldFlags, BadInputError, flagName, inputFromFlags } from './flags.js';
import { EXIT, runToolCommand } from './run.js';

export { EXIT, exitCodeOf, runToolCommand } from './run.js';

/** Flags every generated command has besides the tool's own. */
interface CommonFlags {
  json?: boolean;
  outDir?: string;
}

/**
 * Adds `hearth <group> <tool>` for every plugin and external MCP tool in the registry, generated
 * from its fields (the same names as Discord `/group tool` and MCP `group_tool`). An existing
 * command of the same group word (e.g. `hearth diffusion train`) gains the tool subcommands.
 */
export function addToolCommands(program: Command, ctx: CliContext, registry: ToolRegistry): void {
  for (const tool of registry.list()) {
    const words = registry.names(tool).cli;
    if (words.length !== 2) continue; // built-ins keep their hand-written commands
    const [group, name] = words as [string, string];
    let parent = program.commands.find((c) => c.name() === group);
    if (!parent)
      parent = program
        .command(group)
        .description(`tools of ${tool.origin.kind === 'mcp' ? 'MCP server' : 'plugin'} ${group}`);
    if (parent.commands.some((c) => c.name() === name)) continue;
    toolCommand(parent.command(name), ctx, tool);
  }
}

/** Makes `command` call `tool`: typed flags, an optional positional for its main text field. */
export function toolCommand(command: Command, ctx: CliContext, tool: RegisteredTool): Command {
  const main = tool.fields.find((f) => f.type === 'string' && f.required && !f.array && !f.choices);
  command.description(tool.description);
  if (main) command.argument(`[${main.name}]`, `same as --${flagName(main.name)}`);
  addFieldFlags(command, tool.fields);
  command
    .option('--json', 'print the structured result as JSON')
    .option('--out-dir <dir>', 'where to write images and files (default: the current folder)')
    .action(async (...args: unknown[]) => {
      const cmd = args.at(-1) as Command;
      const values = cmd.opts<Record<string, unknown> & CommonFlags>();
      const positional = main ? (args[0] as string | undefined) : undefined;
      let input: Record<string, unknown>;
      try {
        input = inputFromFlags(
          tool.fields,
          positional === undefined ? values : { ...values, [camelOf(main!.name)]: positional },
        );
      } catch (err) {
        if (!(err instanceof BadInputError)) throw err;
        process.stderr.write(
          `hearth: ${err.message}. See hearth ${command.parent?.name()} ${command.name()} --help.\n`,
        );
        process.exitCode = EXIT.badInput;
        return;
      }
      await runToolCommand(ctx, tool, input, { json: values.json, outDir: values.outDir, title: command.name() });
    });
  return command;
}

function camelOf(field: string): string {
  return flagName(field).replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `hearth tools list [--json]`: every tool with its name on each surface. */
export function registerToolsList(program: Command, ctx: CliContext): void {
  const tools = program.command('tools').description('list every tool with its CLI, Discord and MCP names');
  tools
    .command('list')
    .description('every tool (built-in, plugin, external MCP) and how to call it on each surface')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const hearth = await ctx.hearth();
      const rows = hearth.registry.list().map((t) => {
        const n = hearth.registry.names(t);
        return {
          mcp: n.mcp,
          cli: n.cli.length === 2 ? `hearth ${n.cli.join(' ')}` : undefined,
          discord: n.cli.length === 2 ? n.slash : undefined,
          chat: n.slash,
          origin: t.origin,
          description: t.description,
        };
      });
      if (flags.json) return ctx.printJson(rows);
      for (const r of rows)
        ctx.print(
          `${r.cli ?? `(built-in) ${r.chat}`}  ${r.description}\n    MCP ${r.mcp}${r.discord ? ` · Discord ${r.discord}` : ''}`,
        );
    });
}
