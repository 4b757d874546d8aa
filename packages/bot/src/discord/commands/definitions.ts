import type { RegisteredTool, ToolRegistry } from '@hearth/core';
import {
  type APIApplicationCommandSubcommandOption,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { DiscordSettings } from '../settings.js';
import { optionsFromFields } from './options.js';

type CommandJson = RESTPostAPIChatInputApplicationCommandsJSONBody;

/** The built-in slash commands; registry tools never take these names. */
export const BUILTIN_COMMANDS = ['ask', 'knowledge', 'persona', 'plugins', 'help', 'reset'] as const;
const COMMAND_NAME = /^[-_\p{Ll}\p{N}]{1,32}$/u;
const S = ApplicationCommandOptionType;

/** Slash commands and, for each generated subcommand, the registry tool it runs. */
export interface CommandSet {
  commands: CommandJson[];
  /** Keyed by {@link commandKey}: `poll create`. */
  tools: Map<string, RegisteredTool>;
  /** Tools left out, with the reason (logged). */
  skipped: { tool: string; reason: string }[];
}

/**
 * The key of a generated command in {@link CommandSet.tools}: `poll create` for `/poll create`.
 * Pass `interaction.commandName` and `interaction.options.getSubcommand(false)`.
 */
export function commandKey(commandName: string, subcommand?: string | null): string {
  return subcommand ? `${commandName} ${subcommand}` : commandName;
}

const MAX_SUBCOMMANDS = 25;

/**
 * Every command the bot offers: the built-ins, then one top-level command per plugin (or external
 * MCP server) with one subcommand per tool, named by the SDK's one naming rule (`toolNames`):
 * `/poll create` here, `poll_create` on MCP, `hearth poll create` on the CLI. Built-in tools are
 * already covered by `/ask`, `/knowledge` and `/plugins`.
 */
export function buildCommands(registry: ToolRegistry, settings: DiscordSettings): CommandSet {
  const commands = builtinCommands(settings);
  const tools = new Map<string, RegisteredTool>();
  const skipped: CommandSet['skipped'] = [];
  const groups = new Map<string, RegisteredTool[]>();
  for (const tool of registry.list()) {
    if (tool.origin.kind === 'builtin') continue;
    const { command } = registry.names(tool).discord;
    groups.set(command, [...(groups.get(command) ?? []), tool]);
  }
  for (const [command, members] of groups) {
    if (!COMMAND_NAME.test(command) || (BUILTIN_COMMANDS as readonly string[]).includes(command)) {
      for (const t of members) skipped.push({ tool: t.name, reason: `"${command}" is not a free slash command name` });
      continue;
    }
    if (commands.length >= 100) {
      for (const t of members) skipped.push({ tool: t.name, reason: 'Discord allows at most 100 slash commands' });
      continue;
    }
    const subcommands: APIApplicationCommandSubcommandOption[] = [];
    for (const tool of members) {
      const sub = registry.names(tool).discord.subcommand ?? tool.shortName;
      if (!COMMAND_NAME.test(sub)) {
        skipped.push({ tool: tool.name, reason: `"${sub}" is not a valid subcommand name` });
        continue;
      }
      if (subcommands.length >= MAX_SUBCOMMANDS) {
        skipped.push({ tool: tool.name, reason: `Discord allows at most ${MAX_SUBCOMMANDS} subcommands per command` });
        continue;
      }
      tools.set(commandKey(command, sub), tool);
      subcommands.push({
        type: S.Subcommand,
        name: sub,
        description: clip(tool.description, 100),
        options: optionsFromFields(tool.fields),
      });
    }
    if (!subcommands.length) continue;
    // Hidden from non-admins only when every tool is admin-only; the surface checks each call again.
    const allAdmin = members.every((t) => t.access === 'admin');
    commands.push({
      type: ApplicationCommandType.ChatInput,
      name: command,
      description: clip(`${command}: ${subcommands.map((c) => c.name).join(', ')}`, 100),
      options: subcommands,
      dm_permission: settings.allowDMs,
      ...(allAdmin && !settings.adminRoles.length
        ? { default_member_permissions: String(PermissionFlagsBits.ManageGuild) }
        : {}),
    });
  }
  return { commands, tools, skipped };
}

function builtinCommands(settings: DiscordSettings): CommandJson[] {
  const dm = { dm_permission: settings.allowDMs };
  const chat = ApplicationCommandType.ChatInput;
  return [
    {
      type: chat,
      name: 'ask',
      description: 'Ask Hearth a question; answers cite the knowledge base',
      options: [{ type: S.String, name: 'question', description: 'your question', required: true, max_length: 4000 }],
      ...dm,
    },
    {
      type: chat,
      name: 'knowledge',
      description: "Search or change this server's knowledge base",
      dm_permission: false,
      options: [
        {
          type: S.Subcommand,
          name: 'add',
          description: 'Add a document (text or an attached file); admins only',
          options: [
            { type: S.String, name: 'title', description: 'document title', required: true, max_length: 200 },
            { type: S.Attachment, name: 'file', description: 'a Markdown, text, HTML, PDF, JSON or CSV file' },
            { type: S.String, name: 'text', description: 'document text (instead of a file)', max_length: 6000 },
          ],
        },
        {
          type: S.Subcommand,
          name: 'search',
          description: 'Search the knowledge base',
          options: [
            { type: S.String, name: 'query', description: 'what to look for', required: true, max_length: 1000 },
            { type: S.Integer, name: 'k', description: 'how many results', min_value: 1, max_value: 20 },
          ],
        },
        {
          type: S.Subcommand,
          name: 'remove',
          description: 'Remove a document by its source id; admins only',
          options: [
            {
              type: S.String,
              name: 'source_id',
              description: 'the source to remove',
              required: true,
              autocomplete: true,
            },
          ],
        },
        { type: S.Subcommand, name: 'list', description: "List this server's documents" },
      ],
    },
    {
      type: chat,
      name: 'persona',
      description: "Show or set this server's persona (setting needs an admin)",
      dm_permission: false,
      options: [{ type: S.String, name: 'name', description: 'persona to use', autocomplete: true }],
    },
    { type: chat, name: 'plugins', description: 'List loaded plugins and their tools', ...dm },
    { type: chat, name: 'help', description: 'What Hearth can do here', ...dm },
    { type: chat, name: 'reset', description: 'Forget our conversation in this channel', ...dm },
  ];
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
