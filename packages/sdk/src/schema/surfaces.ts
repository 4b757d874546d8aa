import type { FieldSpec } from './fields.js';

/** Discord's limits on application command options. */
export const DISCORD_LIMITS = { options: 25, choices: 25, nameLength: 32, descriptionLength: 100 } as const;
const DISCORD_NAME = /^[-_\p{Ll}\p{N}]{1,32}$/u;

/**
 * Checks that every surface can express the fields; returns one problem per field that cannot,
 * each naming the field (the host prefixes plugin and tool).
 */
export function surfaceProblems(fields: FieldSpec[]): string[] {
  const problems: string[] = [];
  if (fields.length > DISCORD_LIMITS.options) {
    problems.push(`has ${fields.length} fields; Discord allows at most ${DISCORD_LIMITS.options} options`);
  }
  let seenOptional = false;
  for (const f of fields) {
    if (!DISCORD_NAME.test(f.name)) {
      problems.push(`field "${f.name}": Discord option names are 1-32 lower-case letters, digits, "-" or "_"`);
    }
    if (f.description.length > DISCORD_LIMITS.descriptionLength) {
      problems.push(`field "${f.name}": description is ${f.description.length} characters; Discord allows 100`);
    }
    if (f.choices && f.choices.length > DISCORD_LIMITS.choices) {
      problems.push(`field "${f.name}": ${f.choices.length} choices; Discord allows 25 (use autocomplete instead)`);
    }
    if (f.choices && f.autocomplete) problems.push(`field "${f.name}": choices and autocomplete cannot be combined`);
    if (f.required && seenOptional) {
      // Discord requires required options first; the surface reorders, so this is only a note for docs.
    }
    if (!f.required) seenOptional = true;
  }
  return problems;
}

/**
 * Top-level names the host itself uses on some surface: Discord's built-in slash commands, the
 * `hearth` CLI's commands and chat's own `/` commands. A plugin whose id is one of these gets
 * `<id>-plugin` as its command word on every surface (see {@link toolNames}).
 */
export const HOST_COMMANDS = [
  // Discord built-ins
  'ask',
  'knowledge',
  'persona',
  'plugins',
  'help',
  'reset',
  // chat's own commands
  'tools',
  'quit',
  'exit',
  'prompt',
  'personas',
  'sources',
  // the hearth CLI
  'start',
  'chat',
  'ingest',
  'search',
  'reindex',
  'eval',
  'discord',
  'mcp',
  'imagine',
  'augment',
  'train',
  'adapters',
  'distill',
  'doctor',
] as const;

/** MCP names of the host's built-in tools; a plugin tool's MCP name never equals one of them. */
export const HOST_TOOLS = ['ask', 'search_knowledge', 'add_knowledge', 'remove_knowledge', 'list_plugins'] as const;

/** Every name one tool has, one per surface, all derived from the owner id and the tool name. */
export interface ToolNames {
  /** The word that groups the owner's tools: the plugin id, or `<id>-plugin` on a clash. */
  group: string;
  /** The MCP tool name and the registry's unique name: `poll_create`. */
  mcp: string;
  /** The Discord slash command: top-level command `poll`, subcommand `create` (`/poll create`); built-ins have no subcommand. */
  discord: { command: string; subcommand?: string };
  /** The CLI words after `hearth`: `['poll', 'create']` (`hearth poll create`). */
  cli: string[];
  /** How chat and docs write the command: `/poll create`. */
  slash: string;
  /** Set when the group word had to change, saying why (the host logs it; docs show it). */
  renamed?: string;
}

/**
 * The one naming rule of Hearth, as discord.js bots do it: one top-level command per plugin with
 * a subcommand per tool (`/poll create`), MCP `poll_create`, CLI `hearth poll create`. When the
 * plugin id is a host command (`help`, `search`, ...) or its MCP name would equal a built-in tool,
 * the group becomes `<id>-plugin` on every surface, so a name means one thing everywhere.
 * @param owner - the plugin id (or external MCP server name)
 * @param tool - the tool's own name
 * @returns the name on every surface
 * @example
 * toolNames('poll', 'create') // { mcp: 'poll_create', slash: '/poll create', cli: ['poll', 'create'], ... }
 */
export function toolNames(owner: string, tool: string): ToolNames {
  const renamed = groupClash(owner);
  const group = renamed ? `${owner}-plugin` : owner;
  return {
    group,
    mcp: `${group}_${tool}`,
    discord: { command: group, subcommand: tool },
    cli: [group, tool],
    slash: `/${group} ${tool}`,
    ...(renamed ? { renamed } : {}),
  };
}

/** Why an owner id cannot be its own command word, or undefined when it can. */
export function groupClash(owner: string): string | undefined {
  if ((HOST_COMMANDS as readonly string[]).includes(owner))
    return `"${owner}" is a built-in command, so its tools are under "${owner}-plugin"`;
  const tool = HOST_TOOLS.find((t) => t.startsWith(`${owner}_`));
  if (tool) return `"${owner}_" starts the built-in tool "${tool}", so its tools are under "${owner}-plugin"`;
  return undefined;
}
